"""A worker's declared periodic jobs, run by a real `Worker` (relay, endpoint) against a
real PostgreSQL and a real Tansu broker."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, func, select
from sqlalchemy.orm import Session

from talent_devtools.postgres import create_database, drop_database
from talent_devtools.testing import isolated_database_name, wait_for
from talent_platform.db import new_metadata, sync_url
from talent_platform.events import MessagingTables, messaging_tables
from talent_platform.observability.metrics import sample_values
from talent_platform.periodic import PeriodicJob
from talent_platform.settings import ServiceSettings
from talent_platform.worker import Worker

INTERVAL_S = 0.05

metadata: MetaData = new_metadata()
tables: MessagingTables = messaging_tables(metadata)
ticks = Table(
    "tick",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(64), nullable=False),
)


@pytest.fixture(scope="module")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    name = isolated_database_name("platform_periodic")
    url = create_database(postgres_admin_url, name, drop_existing=True)
    engine = create_engine(sync_url(url))
    metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_database(postgres_admin_url, name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(database_url))
    with engine.begin() as conn:
        conn.execute(ticks.delete())
    yield engine
    engine.dispose()


def tick(job: str) -> Callable[[Session], None]:
    def work(session: Session) -> None:
        session.execute(ticks.insert().values(job=job))

    return work


def count(engine: Engine, job: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).where(ticks.c.job == job)) or 0)


@dataclass
class RunningWorker:
    worker: Worker
    stop: threading.Event
    thread: threading.Thread

    def get(self, path: str) -> tuple[int, str]:
        assert self.worker.endpoint is not None
        url = f"http://127.0.0.1:{self.worker.endpoint.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return int(response.status), str(response.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, str(error.read().decode())

    def metric(self, name: str, job: str) -> float | None:
        _, body = self.get("/metrics")
        values = [v for labels, v in sample_values(body, name) if labels.get("job") == job]
        return values[0] if values else None

    def stop_and_join(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


@pytest.fixture
def start_worker(database_url: str, kafka_bootstrap: str) -> Iterator[Callable[..., RunningWorker]]:
    running: list[RunningWorker] = []

    def start(*jobs: PeriodicJob) -> RunningWorker:
        settings = ServiceSettings(
            service_name="periodictest",
            environment="test",
            database_url=database_url,
            kafka_bootstrap_servers=kafka_bootstrap,
            topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
            worker_metrics_port=0,
            outbox_poll_interval_s=0.2,
        )
        worker = Worker(settings, tables=tables, periodic=jobs)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        handle = RunningWorker(worker, stop, thread)
        running.append(handle)
        assert wait_for(lambda: worker.endpoint is not None, timeout=30)
        return handle

    yield start
    for handle in running:
        handle.stop_and_join()


def test_a_job_runs_every_interval_and_each_run_commits(
    engine: Engine, start_worker: Callable[..., RunningWorker]
) -> None:
    running = start_worker(PeriodicJob.in_transaction("count", INTERVAL_S, tick("count")))

    # Read on another connection: each run's row is there only once its run committed.
    assert wait_for(lambda: count(engine, "count") >= 3, timeout=30)
    assert running.worker.health()["job:count"]
    assert running.get("/healthz")[0] == 200
    assert running.metric("talent_periodic_job_failures_total", "count") == 0
    assert running.metric("talent_periodic_job_last_success_timestamp_seconds", "count")


def test_a_failed_run_is_rolled_back_and_retried_at_the_next_interval(
    engine: Engine, start_worker: Callable[..., RunningWorker]
) -> None:
    runs = 0

    def flaky(session: Session) -> None:
        nonlocal runs
        runs += 1
        session.execute(ticks.insert().values(job=f"flaky run {runs}"))
        if runs == 1:
            raise RuntimeError("first run fails")

    running = start_worker(PeriodicJob.in_transaction("flaky", INTERVAL_S, flaky))

    assert wait_for(lambda: count(engine, "flaky run 2") == 1, timeout=30)
    assert count(engine, "flaky run 1") == 0  # its transaction was rolled back
    assert running.worker.health()["job:flaky"]
    assert running.metric("talent_periodic_job_failures_total", "flaky") == 1
    assert running.metric("talent_periodic_job_last_success_timestamp_seconds", "flaky")


def test_stopping_the_worker_lets_a_run_finish_and_joins_every_job_thread(
    engine: Engine, start_worker: Callable[..., RunningWorker]
) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(session: Session) -> None:
        started.set()
        release.wait(30)
        session.execute(ticks.insert().values(job="slow"))

    running = start_worker(
        PeriodicJob.in_transaction("slow", INTERVAL_S, slow),
        PeriodicJob.in_transaction("quick", INTERVAL_S, tick("quick")),
    )
    assert started.wait(30)
    assert wait_for(lambda: count(engine, "quick") >= 1, timeout=30)

    running.stop.set()
    release.set()
    running.stop_and_join()

    # The run under way when the worker stopped committed; no job thread outlives it.
    assert count(engine, "slow") == 1
    assert not any(job.alive for job in running.worker.jobs)


# The thread ends on an exception it does not catch, which pytest reports as a warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_job_thread_that_ended_makes_the_worker_unhealthy(
    engine: Engine, start_worker: Callable[..., RunningWorker]
) -> None:
    def exits(session: Session) -> None:
        # Not an Exception: the one way out of a job's loop short of the worker stopping.
        raise SystemExit(1)

    running = start_worker(
        PeriodicJob.in_transaction("exits", INTERVAL_S, exits),
        PeriodicJob.in_transaction("count", INTERVAL_S, tick("count")),
    )

    assert wait_for(lambda: not running.worker.health()["job:exits"], timeout=30)
    status, body = running.get("/healthz")
    assert status == 503
    assert '"job:exits": false' in body
    assert running.worker.health()["job:count"]
    assert running.worker.health()["relay"]


def test_a_job_runs_on_one_replica_at_a_time(engine: Engine) -> None:
    # Another replica is in the middle of a run (holds the job's lock): this run skips.
    job = PeriodicJob.in_transaction("sweep", INTERVAL_S, tick("sweep"))
    other = PeriodicJob.in_transaction("other", INTERVAL_S, tick("other"))
    running = threading.Event()
    release = threading.Event()

    def busy(session: Session) -> None:
        running.set()
        release.wait(10)

    elsewhere = PeriodicJob.in_transaction("sweep", INTERVAL_S, busy)
    replica = threading.Thread(target=elsewhere.run, args=(engine,))
    replica.start()
    try:
        assert running.wait(10)
        job.run(engine)
        other.run(engine)
    finally:
        release.set()
        replica.join(10)
    assert (count(engine, "sweep"), count(engine, "other")) == (0, 1)
    job.run(engine)  # the other replica's run is over
    assert count(engine, "sweep") == 1
