"""Static checks of the deployment files (no Docker engine, no cluster, no network).

Helpers of tests/deploy (conftest.py puts this directory on sys.path).

- `render`: a small kustomize, enough for deploy/ (resources, namespace, labels, images,
  strategic-merge and JSON 6902 patches), so CI needs no kustomize binary;
  test_manifests.py compares it with `kubectl kustomize` where kubectl exists.
- `drift_problems`: what the deployment files lack for the services and topics the code
  declares, one sentence per gap naming the file to change.
"""

from __future__ import annotations

import copy
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from talent_cli.services import SERVICES
from talent_platform.events.kafka import declared_topics

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "base"
PRODUCTION = DEPLOY / "overlays" / "production"
COMPOSE = ROOT / "docker-compose.yml"
KUBERNETES_VERSION = "1.31.0"

Resource = dict[str, Any]


class RenderError(ValueError):
    pass


# -- a small kustomize -------------------------------------------------------------------
def load_documents(path: Path) -> list[Any]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def render(directory: Path) -> list[Resource]:
    kustomization_path = directory / "kustomization.yaml"
    if not kustomization_path.is_file():
        raise RenderError(f"{directory} has no kustomization.yaml")
    kustomization = yaml.safe_load(kustomization_path.read_text())
    known = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
    unknown = set(kustomization) - known
    if unknown:
        raise RenderError(f"{kustomization_path}: unsupported fields {sorted(unknown)}")
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            resources.extend(render(target))
        elif target.is_file():
            resources.extend(load_documents(target))
        else:
            raise RenderError(f"{kustomization_path}: resource {entry} does not exist")
    for patch in kustomization.get("patches", []):
        _apply_patch(resources, directory / patch["path"], patch.get("target"))
    for label_set in kustomization.get("labels", []):
        for resource in resources:
            labels = resource.setdefault("metadata", {}).setdefault("labels", {})
            labels.update(label_set["pairs"])
    for image in kustomization.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                if container.get("image", "").split(":")[0] == image["name"]:
                    name = image.get("newName", image["name"])
                    tag = image.get("newTag")
                    container["image"] = f"{name}:{tag}" if tag else name
    namespace = kustomization.get("namespace")
    if namespace:
        for resource in resources:
            resource.setdefault("metadata", {})["namespace"] = namespace
    return resources


def _containers(resource: Resource) -> list[dict[str, Any]]:
    spec = resource.get("spec", {})
    pod = spec.get("template", {}).get("spec", {}) if "template" in spec else {}
    if resource.get("kind") == "CronJob":
        pod = spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def _matches(resource: Resource, target: dict[str, str]) -> bool:
    group, _, version = resource["apiVersion"].rpartition("/")
    return all(
        (
            target.get("kind", resource["kind"]) == resource["kind"],
            target.get("name", resource["metadata"]["name"]) == resource["metadata"]["name"],
            target.get("group", group) == group,
            target.get("version", version) == version,
        )
    )


def _apply_patch(resources: list[Resource], path: Path, target: dict[str, str] | None) -> None:
    documents = load_documents(path)
    if len(documents) == 1 and isinstance(documents[0], list):  # JSON 6902
        if target is None:
            raise RenderError(f"{path}: a JSON 6902 patch needs a target")
        matched = [r for r in resources if _matches(r, target)]
        if not matched:
            raise RenderError(f"{path}: target {target} matches nothing")
        for resource in matched:
            for operation in documents[0]:
                _json6902(resource, operation, path)
        return
    for patch in documents:  # strategic merge, matched by kind and name
        matched = [
            r
            for r in resources
            if r["kind"] == patch["kind"] and r["metadata"]["name"] == patch["metadata"]["name"]
        ]
        if len(matched) != 1:
            raise RenderError(f"{path}: {patch['kind']}/{patch['metadata']['name']} not found")
        _merge(matched[0], patch)


def _json6902(resource: Resource, operation: dict[str, Any], path: Path) -> None:
    if operation["op"] not in ("replace", "add"):
        raise RenderError(f"{path}: unsupported op {operation['op']}")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in operation["path"].split("/")[1:]]
    node: Any = resource
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if operation["op"] == "replace" and parts[-1] not in node:
        raise RenderError(f"{path}: replace of missing {operation['path']}")
    node[parts[-1]] = copy.deepcopy(operation["value"])


def _merge(base: Any, patch: Any) -> Any:
    """Strategic merge as kustomize does it for these files: maps merge, lists of named
    maps (containers, env, ports) merge by name, other lists are replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        elif (
            isinstance(value, list)
            and isinstance(base.get(key), list)
            and all(isinstance(v, dict) and "name" in v for v in [*value, *base[key]])
        ):
            by_name = {item["name"]: item for item in base[key]}
            for item in value:
                if item["name"] in by_name:
                    _merge(by_name[item["name"]], item)
                else:
                    base[key].append(copy.deepcopy(item))
        else:
            base[key] = copy.deepcopy(value)
    return base


def by_kind_name(resources: Iterable[Resource]) -> dict[tuple[str, str], Resource]:
    return {(r["kind"], r["metadata"]["name"]): r for r in resources}


# -- what the code declares --------------------------------------------------------------
@dataclass(frozen=True)
class Declared:
    services: tuple[str, ...]
    topics: tuple[str, ...]
    """Event topics (without their DLQs)."""


def declared() -> Declared:
    directories = {p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists()}
    registered = {spec.name for spec in SERVICES}
    return Declared(
        services=tuple(sorted(directories | registered)),
        topics=tuple(declared_topics()),
    )


# -- drift ------------------------------------------------------------------------------
def compose_topics(compose: dict[str, Any]) -> list[str]:
    script = "\n".join(compose["services"]["kafka-topics"]["command"])
    match = re.search(r"for topic in ([^;]+);", script)
    if match is None:
        return []
    return shlex.split(match.group(1))


def drift_problems(
    code: Declared,
    *,
    compose: dict[str, Any],
    base: list[Resource],
    production: list[Resource],
    subgraphs: dict[str, Any],
) -> list[str]:
    problems: list[str] = []
    problems += _topic_drift(code, compose, base)
    problems += _gateway_dockerfile_problems()
    spec_names = {spec.name for spec in SERVICES}
    for service in code.services:
        if service not in spec_names:
            problems.append(
                f"{service}: no ServiceSpec in libs/cli/src/talent_cli/services.py "
                "(`talent db migrate --service` and the dev stack need one)"
            )
        problems += _dockerfile_drift(service)
        problems += _compose_drift(service, compose)
        problems += _kubernetes_drift(service, base, production)
        if service not in subgraphs:
            problems.append(f"{service}: missing from gateway/subgraphs.json")
    return problems


def _topic_drift(code: Declared, compose: dict[str, Any], base: list[Resource]) -> list[str]:
    problems = []
    in_compose = set(compose_topics(compose))
    kafka_topics = {
        r["spec"].get("topicName", r["metadata"]["name"]) for r in base if r["kind"] == "KafkaTopic"
    }
    for topic in code.topics:
        if topic not in in_compose:
            problems.append(
                f"topic {topic} (declared in talent_contracts) is not created by the "
                "kafka-topics job in docker-compose.yml (its `for topic in ...` list)"
            )
        for name in (topic, f"{topic}.dlq"):
            if name not in kafka_topics:
                problems.append(
                    f"topic {name} has no Strimzi KafkaTopic in deploy/base/kafka/topics.yaml"
                )
    for extra in sorted(in_compose - set(code.topics)):
        problems.append(f"docker-compose.yml creates topic {extra}, which no code declares")
    expected = {*code.topics, *(f"{t}.dlq" for t in code.topics)}
    for extra in sorted(kafka_topics - expected):
        problems.append(f"deploy/base/kafka/topics.yaml declares {extra}, which no code declares")
    return problems


def _dockerfile_drift(service: str) -> list[str]:
    path = ROOT / "services" / service / "Dockerfile"
    where = f"services/{service}/Dockerfile"
    if not path.is_file():
        return [f"{service}: {where} is missing (copy services/people/Dockerfile)"]
    text = path.read_text()
    problems = []
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    images = [args.get(s.strip("${}"), s) for s in stages]
    if len(stages) < 2:
        problems.append(f"{where}: not multi-stage")
    for image in images:
        if not re.search(r":\d+\.\d+[\w.-]*$", image):
            problems.append(f"{where}: base image {image} is not pinned to a version tag")
    if f"COPY services/{service} services/{service}" not in text:
        problems.append(f"{where}: does not copy services/{service}")
    others = set(re.findall(r"services/([a-z_]+)", text)) - {service}
    if others:
        problems.append(f"{where}: copies other services: {sorted(others)}")
    if not re.search(rf"pip install[^\n]*(\\\n[^\n]*)*\./services/{service}\b", text):
        problems.append(f"{where}: does not install ./services/{service}")
    problems += image_package_problems(service, text)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    if not users or users[-1].split(":")[0] in ("0", "root"):
        problems.append(f"{where}: the final stage must run as a non-root USER")
    if "HEALTHCHECK" not in text:
        problems.append(f"{where}: no HEALTHCHECK")
    return problems


IMAGE_LIBRARIES = ("libs/contracts", "libs/platform", "libs/cli")
"""What a service image installs besides the service: no libs/devtools, no talent-cli[dev]
(the CLI is in the image for migrations, replay and the DLQ; see ADR 0005)."""


def image_packages(dockerfile: str) -> list[str]:
    """The local packages a Dockerfile's `pip install` lines install (`./libs/cli[dev]`
    stays `libs/cli[dev]`)."""
    commands = re.findall(r"pip install((?:[^\n]*\\\n)*[^\n]*)", dockerfile)
    return [
        m for c in commands for m in re.findall(r"\./((?:libs|services)/[\w-]+(?:\[[^\]]*\])?)", c)
    ]


def image_package_problems(service: str, dockerfile: str) -> list[str]:
    where = f"services/{service}/Dockerfile"
    expected = {*IMAGE_LIBRARIES, f"services/{service}"}
    installed = set(image_packages(dockerfile))
    problems = []
    if installed - expected:
        problems.append(
            f"{where}: installs {sorted(installed - expected)}; production images install "
            f"only {sorted(expected)} (development tools stay out, ADR 0005)"
        )
    if expected - installed:
        problems.append(f"{where}: does not install {sorted(expected - installed)}")
    if re.search(r"^(COPY|ADD)\b[^\n]*libs/devtools", dockerfile, re.M):
        problems.append(f"{where}: copies libs/devtools, which production images never ship")
    return problems


def _gateway_dockerfile_problems() -> list[str]:
    path = ROOT / "gateway" / "Dockerfile"
    if not path.is_file():
        return ["gateway/Dockerfile is missing"]
    text = path.read_text()
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    images = [args.get(s.strip("${}"), s) for s in re.findall(r"^FROM\s+(\S+)", text, re.M)]
    problems = []
    if len(images) < 2 or any(not re.match(r"node:\d+\.\d+\.\d+", i) for i in images):
        problems.append(f"gateway/Dockerfile: multi-stage on a pinned node image, found {images}")
    if "npm ci" not in text or "package-lock.json" not in text:
        problems.append("gateway/Dockerfile: install with `npm ci` from package-lock.json")
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    if not users or users[-1] in ("0", "root"):
        problems.append("gateway/Dockerfile: the final stage must run as a non-root USER")
    for needed in ("HEALTHCHECK", "supergraph.graphql", "subgraphs.json", "gateway.config.ts"):
        if needed not in text:
            problems.append(f"gateway/Dockerfile: no {needed}")
    return problems


def _depends(entry: dict[str, Any], name: str) -> str | None:
    depends = entry.get("depends_on", {})
    if isinstance(depends, list):
        return "service_started" if name in depends else None
    value = depends.get(name)
    return None if value is None else str(value.get("condition", "service_started"))


def _compose_drift(service: str, compose: dict[str, Any]) -> list[str]:
    services = compose["services"]
    prefix = f"TALENT_{service.upper()}_"
    problems = []
    for part in ("migrate", "api", "worker"):
        if f"{service}-{part}" not in services:
            problems.append(f"{service}: docker-compose.yml has no {service}-{part} service")
    if problems:
        return problems
    migrate = services[f"{service}-migrate"]
    if migrate.get("command") != ["talent", "db", "migrate", "--service", service]:
        problems.append(f"docker-compose.yml {service}-migrate: command must run the migrations")
    if _depends(migrate, "postgres") != "service_healthy":
        problems.append(f"docker-compose.yml {service}-migrate: must wait for postgres healthy")
    for part in ("api", "worker"):
        entry = services[f"{service}-{part}"]
        if _depends(entry, f"{service}-migrate") != "service_completed_successfully":
            problems.append(
                f"docker-compose.yml {service}-{part}: must depend on {service}-migrate "
                "with condition service_completed_successfully"
            )
        if _depends(entry, "kafka-topics") != "service_completed_successfully":
            problems.append(f"docker-compose.yml {service}-{part}: must wait for kafka-topics")
        if "healthcheck" not in entry:
            problems.append(f"docker-compose.yml {service}-{part}: no healthcheck")
        env = entry.get("environment", {})
        for key, wanted in (
            ("DATABASE_URL", None),
            ("JWT_SECRET", None),
            ("KAFKA_BOOTSTRAP_SERVERS", None),
            ("KAFKA_IDEMPOTENT_PRODUCER", "true"),
            ("ENVIRONMENT", "production"),
        ):
            value = env.get(prefix + key)
            if value is None or (wanted is not None and str(value) != wanted):
                problems.append(
                    f"docker-compose.yml {service}-{part}: {prefix}{key} must be "
                    + (wanted if wanted else "set")
                )
        secret = str(env.get(prefix + "JWT_SECRET", ""))
        if "${TALENT_JWT_SECRET:?" not in secret:
            problems.append(
                f"docker-compose.yml {service}-{part}: the JWT secret must be ${{VAR:?}}"
            )
    worker_env = services[f"{service}-worker"].get("environment", {})
    if f"{prefix}WORKER_METRICS_PORT" not in worker_env:
        problems.append(f"docker-compose.yml {service}-worker: no {prefix}WORKER_METRICS_PORT")
    postgres = services["postgres"]["environment"]
    if service not in str(postgres.get("TALENT_SERVICES", "")).split():
        problems.append(f"docker-compose.yml postgres: TALENT_SERVICES does not list {service}")
    if f"{service.upper()}_DB_PASSWORD" not in postgres:
        problems.append(f"docker-compose.yml postgres: no {service.upper()}_DB_PASSWORD")
    gateway = services["gateway"]
    if f"TALENT_SUBGRAPH_{service.upper()}_URL" not in gateway.get("environment", {}):
        problems.append(f"docker-compose.yml gateway: no TALENT_SUBGRAPH_{service.upper()}_URL")
    if _depends(gateway, f"{service}-api") != "service_healthy":
        problems.append(f"docker-compose.yml gateway: must wait for {service}-api healthy")
    return problems


def _kubernetes_drift(service: str, base: list[Resource], production: list[Resource]) -> list[str]:
    where = f"deploy/base/services/{service}"
    if not (BASE / "services" / service / "kustomization.yaml").is_file():
        return [f"{service}: {where}/ is missing (copy deploy/base/services/people)"]
    base_kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    problems = []
    if f"services/{service}" not in base_kustomization.get("resources", []):
        problems.append(
            f"{service}: deploy/base/kustomization.yaml does not list services/{service}"
        )
    found = by_kind_name(base)
    for kind, name in (
        ("ConfigMap", f"{service}-config"),
        ("Deployment", f"{service}-api"),
        ("Deployment", f"{service}-worker"),
        ("Job", f"{service}-migrate"),
        ("Service", f"{service}-api"),
        ("HorizontalPodAutoscaler", f"{service}-api"),
        ("PodDisruptionBudget", f"{service}-api"),
        ("NetworkPolicy", f"{service}-api"),
    ):
        if (kind, name) not in found:
            problems.append(f"{service}: no {kind} {name} in the rendered deploy/base")
    api = found.get(("Deployment", f"{service}-api"))
    if api is not None:
        container = api["spec"]["template"]["spec"]["containers"][0]
        if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
            problems.append(f"{where}/api.yaml: readiness probe must call /readyz")
        if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
            problems.append(f"{where}/api.yaml: liveness probe must call /healthz")
    worker = found.get(("Deployment", f"{service}-worker"))
    if worker is not None:
        container = worker["spec"]["template"]["spec"]["containers"][0]
        if "livenessProbe" not in container:
            problems.append(f"{where}/worker.yaml: no liveness probe")
        if container.get("command") != ["python", "-m", f"talent_{service}.worker"]:
            problems.append(f"{where}/worker.yaml: must run python -m talent_{service}.worker")
    policy = found.get(("NetworkPolicy", f"{service}-api"))
    if policy is not None:
        sources = [
            peer
            for rule in policy["spec"].get("ingress", [])
            for peer in rule.get("from", [{"(anywhere)": True}])
        ]
        allowed = {
            peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
            for peer in sources
        }
        if (
            "gateway" not in allowed
            or not allowed <= {"gateway", "prometheus"}
            or any(
                "namespaceSelector" in peer
                and peer["namespaceSelector"]
                .get("matchLabels", {})
                .get("kubernetes.io/metadata.name")
                != "monitoring"
                for peer in sources
            )
        ):
            problems.append(
                f"{where}/networkpolicy.yaml: the API must accept traffic only from the "
                f"gateway (and Prometheus), found {sorted(str(a) for a in allowed)}"
            )
    gateway_config = found.get(("ConfigMap", "gateway-config"), {}).get("data", {})
    if f"TALENT_SUBGRAPH_{service.upper()}_URL" not in gateway_config:
        problems.append(
            f"deploy/base/gateway/config.yaml: no TALENT_SUBGRAPH_{service.upper()}_URL"
        )
    overlay = yaml.safe_load((PRODUCTION / "kustomization.yaml").read_text())
    if f"talent-{service}" not in {i["name"] for i in overlay.get("images", [])}:
        problems.append(
            f"deploy/overlays/production/kustomization.yaml: no image entry for talent-{service}"
        )
    images = {
        c["image"]
        for r in production
        if r["metadata"]["name"].startswith(f"{service}-")
        for c in _containers(r)
    }
    if any(":" not in image for image in images):
        problems.append(f"deploy/overlays/production: {service} images are not pinned: {images}")
    return problems
