"""Faults under `talent dev up` (people and learning, for real): a worker killed, then the
broker killed while it held events a consumer had not applied yet.

The stack must keep running: the crashed process is restarted (and says so), the others
are left alone; after the broker's restart (memory storage: it comes back empty) the
events it had held reach learning anyway, each applied once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import NullPool, create_engine, text

from talent_cli.dev import repo_root
from talent_cli.identity import IdentityFiles
from talent_cli.main import main
from talent_cli.services import service
from talent_cli.tokens import signed_in
from talent_devtools.ports import free_port, free_port_base
from talent_devtools.postgres import drop_database, normalize_postgres_url
from talent_devtools.testing import wait_for
from talent_platform.db import sync_url

pytestmark = pytest.mark.e2e

SERVICES = ("people", "learning")
GATEWAY = repo_root() / "gateway"
HEADER = "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"


class DevUp:
    def __init__(self, process: subprocess.Popen[bytes], state: Path, log: Path) -> None:
        self.process = process
        self.state = state
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def info(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.state / "dev.json").read_text())
        return loaded

    def pids(self, name: str) -> list[int]:
        """Every pid `name` was started with, in order."""
        return [int(p) for p in re.findall(rf"\| {name} started \(pid=(\d+)\)", self.output())]

    def database(self, name: str) -> str:
        return str(self.info()["services"][name]["database_url"])


def scalar(url: str, sql: str) -> Any:
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def dev() -> Iterator[DevUp]:
    if not (GATEWAY / "node_modules" / ".bin" / "hive-gateway").exists():
        pytest.skip("the gateway is not installed (npm ci in gateway/)")
    # Not tmp_path_factory: as root the embedded PostgreSQL runs as nobody.
    state = Path(tempfile.mkdtemp(prefix="talent-dev-faults-"))
    log = state / "dev-up.log"
    prefix = f"talent_faults_{uuid.uuid4().hex[:8]}_"
    admin_url = os.environ.get("TALENT_TEST_DATABASE_URL")
    database = ["--database-url", admin_url] if admin_url else ["--pg-port", str(free_port())]
    offsets = max(service(name).port_offset for name in SERVICES)
    command = [
        sys.executable, "-m", "talent_cli.main", "dev", "up", "--state-dir", str(state),
        "--services", ",".join(SERVICES), "--no-seed", "--db-prefix", prefix, *database,
        "--gateway-port", str(free_port()), "--broker-port", str(free_port()),
        "--issuer-port", str(free_port()),
        "--mail-smtp-port", str(free_port()), "--mail-web-port", str(free_port()),
        "--service-port-base", str(free_port_base(offsets)),
    ]  # fmt: skip
    # A short subgraph timeout for queries: the hung-subgraph test waits it out.
    env = {**os.environ, "TALENT_GATEWAY_SUBGRAPH_TIMEOUT_MS": "3000"}
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
    running = DevUp(process, state, log)
    try:
        deadline = time.monotonic() + 240
        while not (state / "dev.json").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"talent dev up did not come up:\n{running.output()[-5000:]}")
            time.sleep(0.5)
        yield running
    finally:
        for pid in running.pids("learning-worker")[-1:] + running.pids("learning-api")[-1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if admin_url:
            for name in SERVICES:
                drop_database(normalize_postgres_url(admin_url), prefix + name)
        shutil.rmtree(state, ignore_errors=True)


def worker_healthy(dev: DevUp, name: str) -> bool:
    url = dev.info()["services"][name]["worker_metrics"].removesuffix("/metrics") + "/healthz"
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_crashed_worker_is_restarted_and_the_rest_keeps_running(dev: DevUp) -> None:
    brokers, people_workers = dev.pids("broker"), dev.pids("people-worker")
    killed = dev.pids("learning-worker")[-1]

    os.kill(killed, signal.SIGKILL)

    assert wait_for(lambda: len(dev.pids("learning-worker")) >= 2, timeout=60), dev.output()[-3000:]
    assert dev.process.poll() is None, dev.output()[-3000:]
    assert "learning-worker exited on its own" in dev.output()
    assert dev.pids("learning-worker")[-1] != killed
    assert dev.pids("broker") == brokers
    assert dev.pids("people-worker") == people_workers
    assert wait_for(lambda: worker_healthy(dev, "learning"), timeout=60)


def test_events_the_lost_broker_held_reach_learning_after_its_restart(
    dev: DevUp, tmp_path: Path
) -> None:
    people, learning = dev.database("people"), dev.database("learning")
    assert wait_for(lambda: worker_healthy(dev, "learning"), timeout=60)
    learning_worker = dev.pids("learning-worker")[-1]
    broker = dev.pids("broker")[-1]
    tag = uuid.uuid4().hex[:6]
    numbers = [f"R{tag}{i}" for i in range(25)]
    rows = [
        f"{n},Person {n},{n.lower()}@example.com,2020-01-01,,Unit,City,,active" for n in numbers
    ]
    csv = tmp_path / "employees.csv"
    csv.write_text(HEADER + "\n".join(rows) + "\n")

    os.kill(learning_worker, signal.SIGSTOP)  # learning consumes nothing from here on
    try:
        assert main(["import", "employees", str(csv), "--state-dir", str(dev.state)]) == 0
        # people's relay published every event and the broker acknowledged them ...
        assert wait_for(
            lambda: scalar(people, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0,
            timeout=60,
        )
        # ... then the broker dies with them, none applied by learning.
        os.kill(broker, signal.SIGKILL)
        assert wait_for(lambda: dev.pids("broker")[-1] != broker, timeout=60), dev.output()[-3000:]
        assert wait_for(lambda: "replay done" in dev.output(), timeout=120), dev.output()[-3000:]
    finally:
        os.kill(learning_worker, signal.SIGCONT)

    listed = ", ".join(f"'{n}'" for n in numbers)
    applied = f"SELECT count(*) FROM employee_projection WHERE employee_number IN ({listed})"
    assert wait_for(lambda: scalar(learning, applied) == len(numbers), timeout=120), dev.output()[
        -3000:
    ]
    assert dev.process.poll() is None
    assert "people: republished" in dev.output()


def test_a_hung_subgraph_answers_null_in_time_and_the_others_answer(dev: DevUp) -> None:
    identity = IdentityFiles(dev.state / "identity")
    token = signed_in(
        dev.info()["issuer"], identity, employee_id=str(uuid.uuid4()), roles=["admin"]
    )
    query = '{ employees(first: 1) { totalCount } course(code: "HUNG-1") { code } }'
    gateway = dev.info()["gateway"]

    def ask() -> httpx.Response:
        # Bounded: without a subgraph timeout the gateway would wait for learning for good.
        return httpx.post(
            gateway,
            json={"query": query},
            headers={"authorization": f"Bearer {token}"},
            timeout=60,
        )

    before = ask().json()
    assert before["data"]["course"] is None and "errors" not in before
    api = dev.pids("learning-api")[-1]
    os.kill(api, signal.SIGSTOP)
    try:
        response = ask()
    finally:
        os.kill(api, signal.SIGCONT)

    answer = response.json()
    assert response.status_code == 200  # a partial answer is not a 504 (GraphQL over HTTP)
    assert answer["data"] == before["data"]  # people's part answered, learning's null
    assert [(e.get("path"), e["extensions"]) for e in answer["errors"]] == [
        (["course"], {"code": "GATEWAY_TIMEOUT", "serviceName": "learning"})
    ]  # nothing of the subgraph call (its URL, the internal query) reaches the client
    assert wait_for(lambda: "errors" not in ask().json(), timeout=60)
