"""Operations on the embedded broker: the metrics of a burst, and dead letters redriven.

People's and learning's real workers (relay, consumer, metrics endpoint) run in threads
against a real Tansu and real PostgreSQL; the tests read their Prometheus endpoints and
run the `talent` commands an operator would.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from talent_cli.main import main
from talent_contracts import service_topic
from talent_contracts.people import EmployeeHired
from talent_devtools.testing import ServiceDatabaseFactory, wait_for
from talent_learning.config import LearningSettings
from talent_learning.db import messaging as learning_messaging
from talent_learning.people.consumers import registry as learning_registry
from talent_learning.people.models import EmployeeProjection
from talent_people.config import PeopleSettings
from talent_people.db import messaging as people_messaging
from talent_people.imports.service import run_import
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url, sync_url
from talent_platform.events import BatchItem, HandlerRegistry
from talent_platform.observability.metrics import sample_values
from talent_platform.worker import Worker

ROOT = Path(__file__).parents[2]
ADMIN = Principal(subject="test", employee_id=None, roles=frozenset({Role.ADMIN}))
HEADER = "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"
BURST = 10_000


def employees_csv(names: list[str]) -> str:
    rows = [
        f"E{i},{name},p{i}@example.com,2020-01-01,,Unit,City,,active"
        for i, name in enumerate(names)
    ]
    return HEADER + "\n".join(rows) + "\n"


def import_employees(url: str, data: str) -> None:
    async def run() -> None:
        engine = create_async_engine(async_url(url))
        async with AsyncSession(engine) as session, session.begin():
            await run_import(session, ADMIN, "employees", data)
        await engine.dispose()

    asyncio.run(run())


@dataclass
class RunningWorker:
    worker: Worker
    thread: threading.Thread
    stop: threading.Event

    def metrics(self) -> str:
        assert self.worker.endpoint is not None
        url = f"http://127.0.0.1:{self.worker.endpoint.port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode())

    def value(self, name: str, **labels: str) -> float | None:
        for found, value in sample_values(self.metrics(), name):
            if all(found.get(k) == v for k, v in labels.items()):
                return value
        return None

    def lags(self) -> list[float]:
        return [value for _, value in sample_values(self.metrics(), "talent_consumer_lag")]

    def health(self) -> int:
        assert self.worker.endpoint is not None
        url = f"http://127.0.0.1:{self.worker.endpoint.port}/healthz"
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)


@pytest.fixture
def workers() -> Iterator[Callable[..., RunningWorker]]:
    running: list[RunningWorker] = []

    def start(settings: object, **kwargs: object) -> RunningWorker:
        worker = Worker(settings, **kwargs)  # type: ignore[arg-type]
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        handle = RunningWorker(worker, thread, stop)
        running.append(handle)
        assert wait_for(lambda: worker.endpoint is not None, timeout=30)
        return handle

    yield start
    for handle in running:
        handle.stop.set()
    for handle in running:
        handle.thread.join(timeout=20)


def settings_pair(
    service_database: ServiceDatabaseFactory, bootstrap: str, name: str
) -> tuple[PeopleSettings, LearningSettings]:
    prefix = f"{name}{uuid.uuid4().hex[:6]}."
    common = {
        "environment": "test",
        "topic_prefix": prefix,
        "kafka_bootstrap_servers": bootstrap,
        "worker_metrics_port": 0,
        "outbox_poll_interval_s": 0.2,
    }
    people = PeopleSettings(
        database_url=service_database(f"people_{name}", ROOT / "services/people/alembic.ini"),
        **common,  # type: ignore[arg-type]
    )
    learning = LearningSettings(
        database_url=service_database(f"learning_{name}", ROOT / "services/learning/alembic.ini"),
        **common,  # type: ignore[arg-type]
    )
    return people, learning


def test_burst_of_ten_thousand_events_drains_backlog_and_lag_to_zero(
    service_database: ServiceDatabaseFactory,
    kafka_bootstrap: str,
    workers: Callable[..., RunningWorker],
) -> None:
    people, learning = settings_pair(service_database, kafka_bootstrap, "burst")
    import_employees(people.database_url, employees_csv([f"Person {i}" for i in range(BURST)]))
    # People's relay drains its outbox (10,000 employee.hired events).
    people_worker = workers(people, tables=people_messaging)
    assert wait_for(lambda: people_worker.value("talent_outbox_backlog") == 0, timeout=120)
    assert people_worker.value("talent_outbox_oldest_unsent_age_seconds") == 0
    assert people_worker.value("talent_relay_published_total") == BURST
    assert people_worker.health() == 200

    # Learning's consumer has not started: its lag is the whole burst, spread over the
    # topic's partitions (published positions, not the broker's end offsets).
    learning_topic = service_topic("people")
    learning_worker = workers(
        learning, tables=learning_messaging, registry=learning_registry, consumes=[learning_topic]
    )
    # The first scrape may come before the group joined; lag is measured either way.
    first = learning_worker.lags()
    assert len(first) == people.kafka_topic_partitions
    assert sum(first) > 0
    assert wait_for(lambda: sum(learning_worker.lags()) == 0, timeout=240, interval=0.5)
    assert learning_worker.value(
        "talent_consumer_records_total", outcome="processed"
    ) == pytest.approx(BURST)
    engine = create_engine(sync_url(learning.database_url))
    try:
        with engine.connect() as conn:
            projected = conn.execute(
                select(func.count()).select_from(EmployeeProjection)
            ).scalar_one()
        assert projected == BURST
    finally:
        engine.dispose()
    assert learning_worker.value("talent_outbox_backlog") == 0
    assert learning_worker.value("talent_metrics_scrape_errors") == 0


def test_poisoned_message_is_counted_then_redriven_once_after_the_fix(
    service_database: ServiceDatabaseFactory,
    kafka_bootstrap: str,
    workers: Callable[..., RunningWorker],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    people, learning = settings_pair(service_database, kafka_bootstrap, "poison")
    broken = threading.Event()
    broken.set()
    seen: list[str] = []
    project = learning_registry.handlers_for(EmployeeHired.event_type)[0]

    def fragile(session: Session, items: Sequence[BatchItem]) -> None:
        for payload, envelope in items:
            assert isinstance(payload, EmployeeHired)
            if payload.employee.name == "Poison Pill":
                seen.append(envelope.id)
                if broken.is_set():
                    raise RuntimeError("projection bug: cannot handle poison pills")
        project(session, items)

    registry = HandlerRegistry()
    registry.include(learning_registry)
    registry.replace(EmployeeHired, project, fragile)

    import_employees(people.database_url, employees_csv(["Ann", "Poison Pill", "Bob"]))
    workers(people, tables=people_messaging)
    learning_worker = workers(
        learning, tables=learning_messaging, registry=registry, consumes=[service_topic("people")]
    )
    dlq = f"{learning.topic_prefix}talent.people.v1.dlq"
    assert wait_for(
        lambda: learning_worker.value("talent_dlq_messages", topic=dlq) == 1, timeout=60
    )
    # The partition moved on: the other two were applied and nothing lags.
    assert wait_for(lambda: sum(learning_worker.lags()) == 0)
    assert learning_worker.value("talent_consumer_records_total", outcome="dead_lettered") == 1
    attempts = len(seen)
    assert attempts == learning.consumer_max_attempts + 1  # once in the batch, then retries

    for key, value in {
        "TALENT_LEARNING_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "TALENT_LEARNING_TOPIC_PREFIX": learning.topic_prefix,
        "TALENT_LEARNING_DATABASE_URL": learning.database_url,
    }.items():
        monkeypatch.setenv(key, value)
    state = ["--state-dir", str(tmp_path)]
    assert main(["events", "dlq", "list", "--service", "learning", *state]) == 0
    listed = capsys.readouterr().out
    assert "talent.people.employee.hired.v1" in listed
    assert "RuntimeError: projection bug: cannot handle poison pills" in listed
    assert "group=talent-learning" in listed
    assert f"{dlq}: 1 waiting for talent-learning" in listed

    broken.clear()  # the fix is deployed
    assert main(["events", "dlq", "redrive", "--service", "learning", *state]) == 0
    assert "learning: resent 1 dead letters" in capsys.readouterr().out
    assert wait_for(lambda: learning_worker.value("talent_dlq_messages", topic=dlq) == 0)
    engine = create_engine(sync_url(learning.database_url))
    try:

        def names() -> list[str]:
            with engine.connect() as conn:
                return sorted(conn.execute(select(EmployeeProjection.name)).scalars().all())

        assert wait_for(lambda: names() == ["Ann", "Bob", "Poison Pill"])
        with engine.connect() as conn:
            inbox_rows = conn.execute(
                select(func.count()).select_from(learning_messaging.inbox)
            ).scalar_one()
        assert inbox_rows == 3
    finally:
        engine.dispose()
    assert len(seen) == attempts + 1  # handled once more, successfully

    # A second redrive finds nothing new: each dead letter goes back once.
    assert main(["events", "dlq", "redrive", "--service", "learning", *state]) == 0
    assert "learning: resent 0 dead letters" in capsys.readouterr().out
    assert main(["events", "dlq", "list", "--service", "learning", *state]) == 0
    listed = capsys.readouterr().out
    assert "(redriven)" in listed
    assert "no dead letters waiting" in listed
    assert len(seen) == attempts + 1
