"""GraphQL over HTTP at the gateway: the graphql-http package's server audit (every one
of its audits must pass), and the error contract of the requests the gateway refuses
itself, before any service sees them (docs/api.md: BAD_USER_INPUT, a bounded message,
nothing internal).

By hand against a running `talent dev up`:
`node gateway/audit.mjs http://127.0.0.1:4000/graphql --token "$TOKEN"`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from .conftest import ROOT, LiveGateway

pytestmark = pytest.mark.e2e

AUDIT = ROOT / "gateway" / "audit.mjs"
AUDITS = 61
"""How many audits graphql-http 1.23.1 runs: fewer would mean some no longer ran."""


def test_the_gateway_passes_every_graphql_over_http_audit(live_gateway: LiveGateway) -> None:
    node = shutil.which("node")
    assert node, "node is not on PATH"
    result = subprocess.run(
        [node, str(AUDIT), live_gateway.url, "--json"],
        cwd=AUDIT.parent,
        env={**os.environ, "TALENT_TOKEN": live_gateway.tokens["employee"]},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    print(f"\ngraphql-http audit: {report['passed']} of {report['total']} passed")
    failures = "\n".join(
        f"[{f['status']}] {f['id']} {f['name']}: {f['reason']}\n    {f['response']}"
        for f in report["failures"]
    )
    assert report["failures"] == [], failures
    assert report["passed"] == report["total"] >= AUDITS


BAD_REQUESTS: dict[str, dict[str, Any]] = {
    "does not parse": {"json": {"query": "{ me { "}},
    "does not validate": {"json": {"query": "{ me { nme } }"}},
    "a variable of the wrong type, quoted in the message": {
        "json": {
            "query": "query ($f: Int) { employees(first: $f) { totalCount } }",
            "variables": {"f": "x" * 100_000},
        }
    },
    "a required variable missing": {
        "json": {"query": "query ($id: ID!) { employee(id: $id) { id } }"}
    },
    "an operation name that names nothing": {
        "json": {"query": "query A { me { id } } query B { me { id } }", "operationName": "C"}
    },
    "a body that is not JSON": {
        "content": b'{"query": "{ me { id } }"',
        "headers": {"content-type": "application/json"},
    },
    "a body without a query": {"json": {"variables": {}}},
}


@pytest.mark.parametrize("request_", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_requests_the_gateway_refuses_keep_the_error_contract(
    live_gateway: LiveGateway, request_: dict[str, Any]
) -> None:
    headers = {
        "authorization": f"Bearer {live_gateway.tokens['employee']}",
        **request_.get("headers", {}),
    }
    response = httpx.post(
        live_gateway.url,
        json=request_.get("json"),
        content=request_.get("content"),
        headers=headers,
        timeout=30,
    )
    assert response.status_code in (200, 400), response.text
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"] * len(errors) != []
    assert all(len(e["message"]) <= 200 for e in errors), errors
    assert "originalError" not in response.text and len(response.text) < 2_000
