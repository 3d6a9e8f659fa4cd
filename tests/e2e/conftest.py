"""The whole stack, started the way a developer starts it: `talent dev up`.

One stack per test session (it takes a while to start): its own state directory, its
own databases (on TALENT_TEST_DATABASE_URL's server, or a private embedded PostgreSQL),
free ports, a small demo organisation. Stopped with SIGINT at the end, as Ctrl-C would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXTransport

from talent_cli.services import SERVICES, service_names
from talent_devtools.ports import free_port, free_port_base
from talent_devtools.postgres import drop_database, normalize_postgres_url
from talent_devtools.testing import wait_for

ROOT = Path(__file__).parents[2]
TALENT = Path(sys.executable).parent / "talent"
DEMO_EMPLOYEES = 150


@dataclass
class Stack:
    state_dir: Path
    gateway: str
    tokens: dict[str, str]
    info: dict[str, Any]
    env: dict[str, str]

    def client(self, token: str | None) -> Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return Client(transport=HTTPXTransport(url=self.gateway, headers=headers, timeout=30))

    def query(
        self, token: str | None, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        with self.client(token) as session:
            return session.execute(GraphQLRequest(document, variable_values=variables))

    def partial(
        self, token: str | None, document: str, variables: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[list[str | int], str]]]:
        """An answer that may hold refused fields: its data, and each error's path and
        `extensions.code` (the contract: a refused field is null with a FORBIDDEN entry)."""
        answer = raw_post(self, {"query": document, "variables": variables or {}}, token)
        body = answer.json()
        errors = [
            (e.get("path") or [], e.get("extensions", {}).get("code", ""))
            for e in body.get("errors", [])
        ]
        return body.get("data") or {}, errors

    def talent(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(TALENT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=check,
        )

    def token_for(self, employee_id: str, *roles: str) -> str:
        args = ["token", "--employee-id", employee_id]
        for role in roles or ("employee",):
            args += ["--role", role]
        return self.talent(*args).stdout.strip()


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    state_dir = Path(tempfile.mkdtemp(prefix="talent-e2e-"))
    env = {**os.environ, "TALENT_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1"}
    admin_url = os.environ.get("TALENT_TEST_DATABASE_URL")
    prefix = f"talent_e2e_{os.getpid()}_"
    args = [
        str(TALENT),
        "dev",
        "up",
        "--employees",
        str(DEMO_EMPLOYEES),
        "--gateway-port",
        str(free_port()),
        "--service-port-base",
        str(free_port_base(max(spec.port_offset for spec in SERVICES))),
        "--broker-port",
        str(free_port()),
        "--pg-port",
        str(free_port()),
        "--issuer-port",
        str(free_port()),
        "--mail-smtp-port",
        str(free_port()),
        "--mail-web-port",
        str(free_port()),
        "--db-prefix",
        prefix,
    ]
    if admin_url:
        args += ["--database-url", admin_url]
    log_path = state_dir / "dev-up.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    dev_json = state_dir / "dev.json"
    deadline = time.monotonic() + 420
    try:
        while not dev_json.exists():
            if process.poll() is not None:
                pytest.fail(
                    f"talent dev up exited with {process.returncode}:\n{log_path.read_text()[-5000:]}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"talent dev up did not become ready:\n{log_path.read_text()[-5000:]}")
            time.sleep(0.5)
        info = json.loads(dev_json.read_text())
        yield Stack(
            state_dir=state_dir, gateway=info["gateway"], tokens=info["tokens"], info=info, env=env
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        if admin_url:
            for service in service_names():
                drop_database(normalize_postgres_url(admin_url), f"{prefix}{service}")
        _report_faults(log_path)
        shutil.rmtree(state_dir, ignore_errors=True)


@dataclass
class LiveGateway:
    """A gateway to test and its demo tokens per role."""

    url: str
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def live_gateway(request: pytest.FixtureRequest) -> LiveGateway:
    """The session's stack, or, with TALENT_E2E_DEV_JSON=path/to/dev.json, a stack that is
    already running (`talent dev up`): for the fuzz pass and the GraphQL-over-HTTP audit
    by hand, without starting another."""
    dev_json = os.environ.get("TALENT_E2E_DEV_JSON")
    if dev_json:
        info = json.loads(Path(dev_json).read_text())
        return LiveGateway(url=info["gateway"], tokens=info["tokens"])
    stack: Stack = request.getfixturevalue("stack")
    return LiveGateway(url=stack.gateway, tokens=stack.tokens)


def _report_faults(log_path: Path) -> None:
    """Before the stack's log goes: every internal error the gateway or a service logged
    (the original behind an INTERNAL reference a test may have seen), to the real stderr,
    so a CI log explains a failure the test itself can only quote by reference."""
    if not log_path.exists():
        return
    marks = ("internal error", "Traceback", '"level": "ERROR"')
    lines = [
        line.rstrip()[:2000]
        for line in log_path.read_text(errors="replace").splitlines()
        if any(mark in line for mark in marks) and "kafka" not in line
    ]
    if lines:
        sys.__stderr__.write(
            f"\n== talent dev up logged {len(lines)} error line(s); the last ones:\n"
            + "\n".join(lines[-40:])
            + "\n"
        )


def wait_until(condition: Any, *, timeout: float = 60.0) -> float:
    """Poll until `condition()` is truthy; returns the seconds it took (fails on timeout)."""
    started = time.monotonic()
    if not wait_for(condition, timeout=timeout, interval=0.2):
        pytest.fail(f"condition not met within {timeout:.0f} s")
    return time.monotonic() - started


def raw_post(stack: Stack, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.post(stack.gateway, json=body, headers=headers, timeout=30)
