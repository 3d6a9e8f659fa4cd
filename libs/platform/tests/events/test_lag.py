"""The consumer's lag snapshot: recorded by the worker's consumer loop in the service's
database, read back by the API without any broker."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_devtools.broker import create_topics
from talent_devtools.testing import wait_for
from talent_platform.events import EventConsumer, HandlerRegistry
from talent_platform.events.envelope import Envelope, encode
from talent_platform.events.lag import LagRecorder, LagSnapshot, read_lag_snapshot
from talent_platform.events.positions import OffsetReader, PositionLog
from talent_platform.settings import ServiceSettings

from .conftest import WidgetCreated, lag_table, tables, widgets


@pytest.fixture
def reader(settings: ServiceSettings) -> Iterator[OffsetReader]:
    offsets = OffsetReader(settings)
    yield offsets
    offsets.close()


def _registry() -> HandlerRegistry:
    registry = HandlerRegistry()

    @registry.on(WidgetCreated)
    def count(session: Session, payload: EventPayload, envelope: Envelope) -> None:
        assert isinstance(payload, WidgetCreated)
        session.execute(
            update(widgets).where(widgets.c.id == payload.widget_id).values(seen=widgets.c.seen + 1)
        )

    return registry


def _snapshot(engine: Engine) -> LagSnapshot:
    with Session(engine) as session:
        return read_lag_snapshot(session, lag_table, stale_after_s=15.0)


def test_the_snapshot_counts_published_records_until_the_consumer_applied_them(
    engine: Engine, settings: ServiceSettings, kafka_bootstrap: str, reader: OffsetReader
) -> None:
    topic = f"{settings.topic_prefix}talent.platformtest.v1"
    create_topics(kafka_bootstrap, [topic, f"{topic}.dlq"])
    with engine.begin() as conn:
        conn.execute(widgets.insert(), [{"id": f"w{i}", "seen": 0} for i in range(3)])
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    positions = PositionLog(settings)
    try:
        sent = []
        for i in range(3):
            record = encode(
                Envelope.for_payload(WidgetCreated(widget_id=f"w{i}", name="w"), service="t")
            )
            sent.append(
                producer.send(
                    topic, key=record.key, value=record.value, headers=record.headers
                ).get(timeout=10)
            )
        positions.record(sent)  # what the relay does after a batch
    finally:
        producer.close()
        positions.close()
    consumer = EventConsumer(
        settings,
        engine=engine,
        inbox=tables.inbox,
        registry=_registry(),
        topics=[topic],
        group_id=f"g-{uuid.uuid4().hex[:6]}",
    )
    recorder = LagRecorder(
        engine=engine,
        table=lag_table,
        consumer=consumer,
        reader=reader,
        topics=[topic],
        interval_s=0.1,
    )
    never_recorded = _snapshot(engine)

    recorder.record()  # before the consumer ran: everything is pending
    behind = _snapshot(engine)
    stop = threading.Event()
    thread = threading.Thread(
        target=consumer.run, args=(stop,), kwargs={"after_poll": recorder.record}, daemon=True
    )
    thread.start()
    try:
        caught_up = wait_for(lambda: _snapshot(engine).caught_up, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=15)

    assert (never_recorded.pending, never_recorded.caught_up) == (0, False)
    assert (behind.pending, behind.caught_up, behind.fresh) == (3, False, True)
    assert caught_up and consumer.stats.processed == 3
