"""Fault: the consumer's PostgreSQL stops (fast shutdown) for about ten seconds and comes
back, while events keep arriving on the topic.

The records must wait for the database, not be taken for poison: afterwards every event
is applied exactly once, none is dead-lettered, and the consumer is still running.
"""

from __future__ import annotations

import threading
import time
import uuid

from kafka import KafkaProducer
from sqlalchemy import Engine

from talent_contracts import dlq_topic
from talent_devtools.broker import create_topics
from talent_devtools.postgres import LocalPostgres
from talent_devtools.testing import wait_for
from talent_devtools.testing.topics import read_topic
from talent_platform.events import EventConsumer
from talent_platform.events.envelope import Envelope, encode
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, WidgetCreated, registry, tables
from .helpers import OUTAGE_S, applied_counts, database_away


class EventSource:
    """Sends a new event every `interval_s` from a thread until stopped."""

    def __init__(self, bootstrap: str, topic: str, *, interval_s: float = 0.05) -> None:
        self.topic = topic
        self.interval_s = interval_s
        self.sent: list[str] = []
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._send_until_stopped, daemon=True)

    def __enter__(self) -> EventSource:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._producer.close()

    def _send_until_stopped(self) -> None:
        while not self._stop.is_set():
            widget_id = f"w-{uuid.uuid4().hex[:8]}"
            record = encode(
                Envelope.for_payload(WidgetCreated(widget_id=widget_id), service=SERVICE)
            )
            self._producer.send(
                self.topic, key=record.key, value=record.value, headers=record.headers
            ).get(timeout=10)
            self.sent.append(widget_id)
            self._stop.wait(self.interval_s)


def test_a_database_restart_delays_events_and_dead_letters_none(
    private_postgres: LocalPostgres, engine: Engine, settings: ServiceSettings
) -> None:
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    bootstrap = settings.kafka_bootstrap_servers
    create_topics(bootstrap, [topic, dlq_topic(topic)])
    consumer = EventConsumer(
        settings, engine=engine, inbox=tables.inbox, registry=registry, topics=[topic]
    )
    stop = threading.Event()
    loop = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    loop.start()
    url = settings.database_url
    try:
        with EventSource(bootstrap, topic) as source:
            assert wait_for(lambda: len(applied_counts(url)) >= 5, timeout=60)
            with database_away(private_postgres):
                time.sleep(OUTAGE_S)
            arrived_during_outage = len(source.sent)
            assert wait_for(lambda: len(source.sent) > arrived_during_outage + 5, timeout=30)
        assert wait_for(lambda: set(applied_counts(url)) >= set(source.sent), timeout=90)
        assert loop.is_alive(), "the consumer gave up instead of waiting for the database"
    finally:
        stop.set()
        loop.join(timeout=30)

    counts = applied_counts(url)
    assert set(counts) == set(source.sent)
    assert [w for w, n in counts.items() if n != 1] == []
    assert consumer.stats.dead_lettered == 0
    assert read_topic(bootstrap, dlq_topic(topic), until=lambda r: bool(r), timeout=5) == []
