"""Fault: the broker freezes (SIGSTOP on the test's own Tansu): its connections stay open
and nothing answers.

The worker's `/metrics` must still answer within a scraper's timeout, serving the last
lag and dead-letter figures the broker gave, marked by their age.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from talent_devtools.broker import TansuBroker
from talent_devtools.testing import wait_for
from talent_platform.db import sync_url
from talent_platform.events.outbox import Outbox
from talent_platform.observability.metrics import sample_values
from talent_platform.settings import ServiceSettings
from talent_platform.worker import Worker

from .conftest import SERVICE, WidgetCreated, registry, tables
from .helpers import RunningWorker


@pytest.fixture
def broker() -> Iterator[TansuBroker]:
    with TansuBroker() as broker:
        yield broker


@pytest.fixture
def worker(database_url: str, broker: TansuBroker) -> Iterator[RunningWorker]:
    settings = ServiceSettings(
        service_name=SERVICE,
        environment="test",
        database_url=database_url,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        topic_prefix=f"f{uuid.uuid4().hex[:8]}.",
        kafka_topic_partitions=1,
        outbox_poll_interval_s=0.2,
        worker_metrics_port=0,
    )
    worker = Worker(settings, tables=tables, registry=registry, consumes=[f"talent.{SERVICE}.v1"])
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: worker.endpoint is not None, timeout=60)
        yield RunningWorker(worker, stop, thread)
    finally:
        stop.set()
        thread.join(timeout=60)


def write_events(url: str, count: int) -> None:
    engine = create_engine(sync_url(url), poolclass=NullPool)
    outbox = Outbox(tables.outbox, service=SERVICE)
    try:
        with Session(engine) as session, session.begin():
            for _ in range(count):
                outbox.add(session, WidgetCreated(widget_id=f"w-{uuid.uuid4().hex[:8]}"))
    finally:
        engine.dispose()


def test_metrics_answer_while_the_broker_is_frozen(
    worker: RunningWorker, broker: TansuBroker, database_url: str
) -> None:
    write_events(database_url, 5)
    consumer = worker.worker.consumer
    assert consumer is not None
    assert wait_for(lambda: consumer.stats.processed >= 5, timeout=60)
    assert wait_for(lambda: worker.total("talent_consumer_lag") == 0, timeout=60)

    broker.pause()
    try:
        write_events(database_url, 2)  # the relay now waits on the broker too
        first = worker.metrics()
        second = worker.metrics()
    finally:
        broker.resume()

    for scrape in (first, second):
        assert [value for _, value in sample_values(scrape, "talent_consumer_lag")] == [0.0]
        assert sample_values(scrape, "talent_broker_offsets_age_seconds")
    assert sample_values(second, "talent_metrics_scrape_errors")[0][1] >= 1
