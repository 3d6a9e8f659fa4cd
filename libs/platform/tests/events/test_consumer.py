"""The consumer loop: idempotency by ce_id, retries, dead letters, poison messages."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_devtools.broker import create_topics
from talent_devtools.testing import wait_for
from talent_devtools.testing.topics import read_topic
from talent_platform.events import EventConsumer, HandlerRegistry
from talent_platform.events.envelope import Envelope, encode
from talent_platform.settings import ServiceSettings

from .conftest import WidgetCreated, tables, widgets


def _registry(fail_for: set[str]) -> HandlerRegistry:
    registry = HandlerRegistry()

    @registry.on(WidgetCreated)
    def count(session: Session, payload: EventPayload, envelope: Envelope) -> None:
        assert isinstance(payload, WidgetCreated)
        if payload.widget_id in fail_for:
            raise RuntimeError(f"cannot handle {payload.widget_id}")
        session.execute(
            update(widgets).where(widgets.c.id == payload.widget_id).values(seen=widgets.c.seen + 1)
        )

    return registry


@pytest.fixture
def topic(settings: ServiceSettings) -> str:
    name = f"{settings.topic_prefix}talent.platformtest.v1"
    create_topics(settings.kafka_bootstrap_servers, [name, f"{name}.dlq"])
    return name


@pytest.fixture
def producer(kafka_bootstrap: str) -> Iterator[KafkaProducer]:
    p = KafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    yield p
    p.close()


def _send(producer: KafkaProducer, topic: str, envelope: Envelope) -> None:
    record = encode(envelope)
    producer.send(topic, key=record.key, value=record.value, headers=record.headers).get(timeout=10)


def _seen(engine: Engine, widget_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(widgets.c.seen).where(widgets.c.id == widget_id)).scalar_one()
        )


def _run(consumer: EventConsumer) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def test_duplicates_are_applied_once_and_poison_goes_to_the_dlq(
    engine: Engine, settings: ServiceSettings, topic: str, producer: KafkaProducer
) -> None:
    with engine.begin() as conn:
        conn.execute(
            widgets.insert(),
            [{"id": "w1", "seen": 0}, {"id": "w2", "seen": 0}, {"id": "bad", "seen": 0}],
        )
    consumer = EventConsumer(
        settings,
        engine=engine,
        inbox=tables.inbox,
        registry=_registry({"bad"}),
        topics=[topic],
        group_id=f"g-{uuid.uuid4().hex[:6]}",
    )
    first = Envelope.for_payload(WidgetCreated(widget_id="w1", name="one"), service="platformtest")
    _send(producer, topic, first)
    _send(producer, topic, first)  # redelivery of the same event
    producer.send(topic, key=b"x", value=b"not an event", headers=[("ce_id", b"1")]).get(timeout=10)
    _send(
        producer,
        topic,
        Envelope.for_payload(WidgetCreated(widget_id="bad", name="fails"), service="platformtest"),
    )
    _send(
        producer,
        topic,
        Envelope.for_payload(WidgetCreated(widget_id="w2", name="two"), service="platformtest"),
    )

    stop, thread = _run(consumer)
    try:
        assert wait_for(lambda: _seen(engine, "w2") == 1, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=15)

    assert _seen(engine, "w1") == 1
    assert _seen(engine, "bad") == 0
    assert consumer.stats.duplicates == 1
    assert consumer.stats.dead_lettered == 2
    dead = read_topic(settings.kafka_bootstrap_servers, f"{topic}.dlq", until=lambda r: len(r) >= 2)
    errors = [dict(r.headers)["talent_error"].decode() for r in dead]
    assert any("missing header ce_specversion" in e for e in errors)
    assert any("cannot handle bad" in e for e in errors)
    bad = next(r for r in dead if r.key == b"bad")
    assert dict(bad.headers)["talent_attempts"] == str(settings.consumer_max_attempts).encode()
    assert dict(bad.headers)["talent_original_topic"] == topic.encode()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.inbox)).scalar_one() == 2


def test_committed_offsets_resume_without_reprocessing(
    engine: Engine, settings: ServiceSettings, topic: str, producer: KafkaProducer
) -> None:
    with engine.begin() as conn:
        conn.execute(widgets.insert(), [{"id": "r1", "seen": 0}, {"id": "r2", "seen": 0}])
    group = f"g-{uuid.uuid4().hex[:6]}"

    def consumer() -> EventConsumer:
        return EventConsumer(
            settings,
            engine=engine,
            inbox=tables.inbox,
            registry=_registry(set()),
            topics=[topic],
            group_id=group,
        )

    _send(
        producer,
        topic,
        Envelope.for_payload(WidgetCreated(widget_id="r1", name="1"), service="platformtest"),
    )
    stop, thread = _run(consumer())
    assert wait_for(lambda: _seen(engine, "r1") == 1, timeout=60)
    stop.set()
    thread.join(timeout=15)

    _send(
        producer,
        topic,
        Envelope.for_payload(WidgetCreated(widget_id="r2", name="2"), service="platformtest"),
    )
    second = consumer()
    stop, thread = _run(second)
    try:
        assert wait_for(lambda: _seen(engine, "r2") == 1, timeout=60)
    finally:
        stop.set()
        thread.join(timeout=15)
    assert _seen(engine, "r1") == 1
    # The second consumer started after the committed offset: r1 was not even redelivered.
    assert second.stats.duplicates == 0
    assert second.stats.processed == 1
