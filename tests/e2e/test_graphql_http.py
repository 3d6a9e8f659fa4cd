"""GraphQL over HTTP at the gateway: the graphql-http package's server audit (every one
of its audits must pass).

By hand against a running `talent dev up`:
`node gateway/audit.mjs http://127.0.0.1:4000/graphql --token "$TOKEN"`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

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
