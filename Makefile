# Talent: two commands on a fresh clone.
#   make run   installs everything into .venv and gateway/node_modules, then starts the
#              whole stack with a demo organisation (talent dev up)
#   make test  installs, then runs every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := gateway/node_modules/.installed
IDENTITY_STAMP := identity/node_modules/.installed
MAILCATCHER_STAMP := mailcatcher/node_modules/.installed
SERVICES := $(notdir $(wildcard services/*))
PACKAGES := libs/contracts libs/platform libs/devtools libs/cli $(addprefix services/,$(SERVICES))

.PHONY: run test install lint typecheck schema schema-check deploy-check lock bench clean

run: install
	$(BIN)/talent dev up

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP) $(NODE_STAMP) $(IDENTITY_STAMP) $(MAILCATCHER_STAMP)

$(STAMP): requirements.lock $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps $(foreach p,$(PACKAGES),-e $(p))
	touch $@

$(NODE_STAMP): gateway/package.json gateway/package-lock.json
	cd gateway && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The local OpenID Connect issuer `talent dev up` runs (identity/issuer.mjs).
$(IDENTITY_STAMP): identity/package.json identity/package-lock.json
	cd identity && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The mail catcher (MailDev: SMTP, web UI, HTTP API) `talent dev up` and the notifier's
# tests run (talent_devtools.mailcatcher).
$(MAILCATCHER_STAMP): mailcatcher/package.json mailcatcher/package-lock.json
	cd mailcatcher && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy libs/contracts/src libs/platform/src libs/devtools/src libs/cli/src $(addsuffix /src,$(addprefix services/,$(SERVICES)))

# Regenerate every subgraph SDL and the composed supergraph after a GraphQL change.
schema: install
	for s in $(SERVICES); do $(BIN)/python -m talent_$$s.schema > services/$$s/schema.graphql; done
	cd gateway && node compose.mjs

schema-check: install
	cd gateway && node compose.mjs --check

# Deployment files without Docker or a cluster: docker-compose.yml against the Compose
# Specification schema, every Kubernetes manifest (base and production overlay) against
# the Kubernetes API schemas, and the drift test (deployment files vs. services and
# topics in the code). Offline: the schemas ship with check-jsonschema and
# kubernetes-validate.
deploy-check: install
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(BIN)/pytest -q -p no:randomly tests/deploy

# Re-pin third-party dependencies after editing requirements.in.
lock:
	$(BIN)/uv pip compile requirements.in -o requirements.lock --python-version 3.11 --no-header

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) gateway/node_modules mailcatcher/node_modules .talent
