"""Fault: two services consume one topic and both dead-letter the same poison record into
the topic's one DLQ; then more letters of the other service arrive.

A worker's `talent_dlq_messages` must count only its own consumer group's letters
waiting for its redrive, not every record in the shared DLQ topic; after its redrive it
counts only what its group dead-letters afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlalchemy import Engine

from talent_contracts import dlq_topic
from talent_devtools.testing import wait_for
from talent_platform.events import EventConsumer
from talent_platform.events.dlq import redrive
from talent_platform.events.positions import PositionLog
from talent_platform.observability.metrics import sample_values
from talent_platform.settings import ServiceSettings
from talent_platform.worker import Worker

from .conftest import SERVICE, registry, tables
from .helpers import RunningWorker

SIBLING_GROUP = "talent-faultsibling"


@pytest.fixture
def worker(settings: ServiceSettings) -> Iterator[RunningWorker]:
    worker = Worker(
        settings.model_copy(update={"worker_metrics_port": 0}),
        tables=tables,
        registry=registry,
        consumes=[f"talent.{SERVICE}.v1"],
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: worker.endpoint is not None, timeout=60)
        yield RunningWorker(worker, stop, thread)
    finally:
        stop.set()
        thread.join(timeout=60)


@pytest.fixture
def sibling(
    worker: RunningWorker, engine: Engine, settings: ServiceSettings
) -> Iterator[EventConsumer]:
    """Another service's consumer of the same topic (its own group)."""
    consumer = EventConsumer(
        settings,
        engine=engine,
        inbox=tables.inbox,
        registry=registry,
        topics=[f"{settings.topic_prefix}talent.{SERVICE}.v1"],
        group_id=SIBLING_GROUP,
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield consumer
    finally:
        stop.set()
        thread.join(timeout=30)


def test_the_dlq_gauge_counts_only_the_workers_own_letters(
    worker: RunningWorker, sibling: EventConsumer, settings: ServiceSettings
) -> None:
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    dlq = dlq_topic(topic)
    own = worker.worker.consumer
    assert own is not None
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False
    )
    positions = PositionLog(settings, shared=True)
    try:
        producer.send(topic, key=b"w-1", value=b"{not json").get(timeout=10)
        assert wait_for(lambda: own.stats.dead_lettered == 1, timeout=60)
        assert wait_for(lambda: sibling.stats.dead_lettered == 1, timeout=60)
        for n in range(3):  # more of the sibling's letters, written as its consumer would
            written = producer.send(
                dlq,
                key=f"s-{n}".encode(),
                value=b"{}",
                headers=[
                    ("talent_error", b"RuntimeError: the sibling's bug"),
                    ("talent_original_topic", topic.encode()),
                    ("talent_consumer_group", SIBLING_GROUP.encode()),
                ],
            ).get(timeout=10)
            positions.record([written])
    finally:
        producer.close()
        positions.close()

    def waiting() -> float | None:
        values = [
            value
            for labels, value in sample_values(worker.metrics(), "talent_dlq_messages")
            if labels["topic"] == dlq
        ]
        return sum(values) if values else None

    # The sibling's letter and the three written directly are not the worker's to redrive.
    assert wait_for(lambda: waiting() == 1, timeout=60), waiting()

    assert len(redrive(settings, service=SERVICE, topics=[dlq]).sent) == 1
    # Still undecodable: the worker's group dead-letters the resent record again (only
    # that group reads it), and that new letter is the one waiting.
    assert wait_for(lambda: own.stats.dead_lettered == 2, timeout=60)
    assert wait_for(lambda: waiting() == 1, timeout=60), waiting()
    assert sibling.stats.dead_lettered == 1
