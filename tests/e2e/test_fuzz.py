"""Schemathesis over the gateway: generated queries and mutations for every root field.

The cases come from the checked-in client schema (`gateway/public-schema.graphql`,
hypothesis-graphql through schemathesis): every Query and Mutation field, a bounded number
of cases per field, each sent with every role's token, derandomized, so a run is repeatable
and its length is set by the number of cases, not by a clock. Each answer must keep the
error contract of docs/api.md: no HTTP 5xx, a GraphQL JSON body, every error with a
documented `extensions.code` that is not INTERNAL, messages at most 200 characters, and
no internal text (driver, SQL, traceback, file names) anywhere in an error or in a typed
mutation error. Every failure is collected and reported at the end, not only the first.

By hand against a running `talent dev up` (docs/operations.md):
`TALENT_E2E_DEV_JSON=.talent/dev.json .venv/bin/pytest -q -p no:randomly -s tests/e2e/test_fuzz.py`.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

from .conftest import ROOT, LiveGateway

pytestmark = pytest.mark.e2e

SCHEMA = ROOT / "gateway" / "public-schema.graphql"
ROLES = ("admin", "hr_leader", "hr_coordinator", "manager", "employee")
"""Every demo role's token: each generated case is sent once per role."""
HR_ROLES = {"admin", "hr_leader", "hr_coordinator"}

POSITIVE_CASES = int(os.environ.get("TALENT_FUZZ_CASES", "2"))
"""Schema-valid cases per root field and token (hypothesis' max_examples)."""
NEGATIVE_CASES = 1
"""Schema-invalid cases per root field and token: the gateway must refuse them cleanly."""

DOCUMENTED_CODES = {
    "BAD_USER_INPUT",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "UNAUTHENTICATED",
    "GATEWAY_TIMEOUT",
}
"""docs/api.md's codes, less INTERNAL: a fuzzed request must never be a fault of a service."""

MESSAGE_LIMIT = 200
LEAKS = (
    "psycopg",
    "sqlalchemy",
    "asyncpg",
    "Traceback",
    'File "',
    ".py",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "DELETE ",
    " FROM ",
    "DETAIL:",
    "violates",
    "Unexpected error",
    "Exception",
    "object has no attribute",
)
"""Text that only an exception, a driver or the database writes."""

SKIPPED_FOR_HR = {
    # Global effects other e2e tests of the same session would see: a sweep on a drawn
    # date (years ahead: every open assignment overdue), a new recommender model, the
    # organisation-wide tuition policy. The manager and employee tokens still fuzz them
    # (refused).
    "Mutation.runComplianceSweep": "sweeps compliance for the whole organisation",
    "Mutation.refitRecommenderModel": "refits the recommender for everyone",
    "Mutation.setTuitionPolicy": "replaces the organisation's tuition policy",
}

# Scalars the generator has no strategy for: valid values mostly, and some that only
# look like them, since the services parse these strings themselves.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999999", "12,50", "", "abc"]),
    ).map(nodes.String),
)
schemathesis.graphql.scalar("JSON", st.just(nodes.String("{}")))


@dataclass
class Failure:
    role: str
    field: str
    query: str
    response: str
    problems: list[str]


@dataclass
class Report:
    cases: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    """`extensions.code` of every error answered, for the summary line."""
    failures: list[Failure] = field(default_factory=list)
    waited: float = 0.0
    """Seconds spent waiting for answers (the rest of a run is generating cases)."""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _typed_error_texts(data: Any) -> Iterator[str]:
    """`message`, `field` and `key` of the typed mutation errors (and anything like them)
    in `data`: the rest of `data` echoes what the case sent."""
    if isinstance(data, dict):
        for key, item in data.items():
            if key in ("message", "field", "key") and isinstance(item, str):
                yield item
            else:
                yield from _typed_error_texts(item)
    elif isinstance(data, list):
        for item in data:
            yield from _typed_error_texts(item)


def problems_of(response: httpx.Response, codes: Counter[str] | None = None) -> list[str]:
    """Every way `response` breaks the error contract (empty: it keeps it); counts the
    codes of its errors into `codes`."""
    found: list[str] = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    try:
        payload = response.json()
    except ValueError:
        return [*found, "the body is not JSON"]
    if not isinstance(payload, dict) or not ({"data", "errors"} & payload.keys()):
        return [*found, "the body is not a GraphQL response (no data, no errors)"]
    errors = payload.get("errors") or []
    if not isinstance(errors, list):
        return [*found, "errors is not a list"]
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            found.append(f"an error without a message: {error!r:.200}")
            continue
        message = error["message"]
        code = (error.get("extensions") or {}).get("code")
        if codes is not None:
            codes[str(code)] += 1
        if code == "INTERNAL":
            found.append(f"INTERNAL at {error.get('path')}: {message}")
        elif code not in DOCUMENTED_CODES:
            found.append(f"undocumented code {code!r} at {error.get('path')}: {message:.300}")
        if len(message) > MESSAGE_LIMIT:
            found.append(f"a message of {len(message)} characters: {message:.300}")
    texts = [*_strings(errors), *_typed_error_texts(payload.get("data"))]
    for text in texts:
        leaked = [marker for marker in LEAKS if marker in text]
        if leaked:
            found.append(f"internal text {leaked}: {text:.300}")
    return found


def run_cases(strategy: st.SearchStrategy[Any], count: int, check: Callable[[Any], None]) -> None:
    """`check` on `count` cases drawn from `strategy`: derandomized, no example database,
    no shrinking (a check records its failures rather than raising), no deadline."""

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        check(case)

    run()


def checker(
    clients: dict[str, httpx.Client], url: str, label: str, report: Report
) -> Callable[[Any], None]:
    """Sends each case once per token and records how each answer breaks the contract."""

    def check(case: Any) -> None:
        query = str(case.body)
        for role, client in clients.items():
            if role in HR_ROLES and label in SKIPPED_FOR_HR:
                continue
            report.cases[role] += 1
            sent = time.monotonic()
            try:
                response = client.post(url, json={"query": query})
            except httpx.HTTPError as exc:
                report.failures.append(Failure(role, label, query, "", [f"no response: {exc!r}"]))
                continue
            finally:
                report.waited += time.monotonic() - sent
            found = problems_of(response, report.codes)
            if found:
                report.failures.append(Failure(role, label, query, response.text[:2000], found))

    return check


def fuzz(url: str, tokens: dict[str, str], report: Report) -> None:
    """Every root field of the schema, each case sent with every token (generating a case
    costs more than sending it, and a derandomized run draws the same cases anyway)."""
    schema = schemathesis.graphql.from_path(SCHEMA, config=SchemathesisConfig())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100, "the schema lost its root fields"
    clients = {
        role: httpx.Client(headers={"authorization": f"Bearer {token}"}, timeout=30)
        for role, token in tokens.items()
    }
    try:
        for operation in operations:
            check = checker(clients, url, operation.label, report)
            for mode, count in (
                (GenerationMode.POSITIVE, POSITIVE_CASES),
                (GenerationMode.NEGATIVE, NEGATIVE_CASES),
            ):
                if count > 0:
                    run_cases(operation.as_strategy(generation_mode=mode), count, check)
    finally:
        for client in clients.values():
            client.close()


def render(failures: list[Failure]) -> str:
    """Failures grouped by field and first problem: each group once, with one case (its
    token, its query with the generated arguments inline, and the response)."""
    groups: dict[tuple[str, str], list[Failure]] = {}
    for failure in failures:
        kind = re.sub(r"reference [0-9a-f]+", "reference …", failure.problems[0])[:80]
        groups.setdefault((failure.field, kind), []).append(failure)
    lines = [f"{len(failures)} failing cases in {len(groups)} groups:"]
    for (label, _), members in sorted(groups.items()):
        first = members[0]
        roles = sorted({m.role for m in members})
        lines += [
            "",
            f"== {label} ({len(members)} cases, {', '.join(roles)})",
            *(f"   problem: {p}" for p in first.problems),
            f"   query: {' '.join(first.query.split())[:1500]}",
            f"   response: {first.response}",
        ]
    return "\n".join(lines)


@pytest.mark.timeout(900)
def test_generated_requests_keep_the_error_contract(live_gateway: LiveGateway) -> None:
    report = Report()
    started = time.monotonic()
    fuzz(live_gateway.url, {role: live_gateway.tokens[role] for role in ROLES}, report)
    elapsed = time.monotonic() - started
    counts = ", ".join(f"{role} {report.cases[role]}" for role in ROLES)
    codes = ", ".join(f"{code} {n}" for code, n in report.codes.most_common())
    print(
        f"\nfuzz: {sum(report.cases.values())} cases ({counts}) in {elapsed:.0f} s "
        f"({report.waited:.0f} s waiting for answers); "
        f"errors by code: {codes}; {len(report.failures)} failing"
    )
    out = os.environ.get("TALENT_FUZZ_REPORT")
    if out:
        Path(out).write_text(json.dumps([f.__dict__ for f in report.failures], indent=1))
    if report.failures:
        pytest.fail(render(report.failures), pytrace=False)
