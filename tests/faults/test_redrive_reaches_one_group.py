"""Fault: a record nobody can decode reaches a topic three consumer groups read. Each
group dead-letters it. The first group's operator redrives that group's letter (after a
fix that, here, did not help: the record is still undecodable).

The resend must reach only the group whose letter it was: that group dead-letters it
once more, the other two skip it. Before the fix every group read the resend and wrote
a new letter (one redrive, three new letters).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlalchemy import Engine

from talent_contracts import dlq_topic
from talent_devtools.broker import create_topics
from talent_devtools.testing import wait_for
from talent_platform.events import EventConsumer
from talent_platform.events.dlq import group_of, list_dead_letters, redrive
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, registry, tables

GROUPS = (group_of(SERVICE), "talent-faultsibling", "talent-faultcousin")


@pytest.fixture
def consumers(engine: Engine, settings: ServiceSettings) -> Iterator[list[EventConsumer]]:
    """One running consumer per group, all on the test's topic."""
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    create_topics(settings.kafka_bootstrap_servers, [topic, dlq_topic(topic)])
    running = [
        EventConsumer(
            settings,
            engine=engine,
            inbox=tables.inbox,
            registry=registry,
            topics=[topic],
            group_id=group,
        )
        for group in GROUPS
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=c.run, args=(stop,), daemon=True) for c in running]
    for thread in threads:
        thread.start()
    try:
        yield running
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


def passed(consumers: list[EventConsumer], topic: str, offset: int) -> bool:
    """Every consumer has handled (and committed) the topic up to `offset`."""
    return all(c.stats.positions.get(f"{topic}:0", 0) >= offset for c in consumers)


def test_a_redriven_poison_record_goes_back_to_its_own_group_only(
    consumers: list[EventConsumer], settings: ServiceSettings
) -> None:
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    dlq = dlq_topic(topic)
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False
    )
    try:
        producer.send(topic, key=b"w-1", value=b"{not json").get(timeout=10)
    finally:
        producer.close()
    assert wait_for(lambda: passed(consumers, topic, 1), timeout=60)
    before = list_dead_letters(settings, topics=[dlq])
    assert sorted(letter.consumer_group or "" for letter in before) == sorted(GROUPS)

    assert len(redrive(settings, service=SERVICE, topics=[dlq]).sent) == 1
    assert wait_for(lambda: passed(consumers, topic, 2), timeout=60)

    after = list_dead_letters(settings, topics=[dlq])
    by_group = {
        group: [letter for letter in after if letter.consumer_group == group] for group in GROUPS
    }
    own, *others = GROUPS
    # The redriven group's letter is marked redriven, and its new failure is waiting.
    assert [letter.redriven for letter in by_group[own]] == [True, False]
    # The other groups still hold only their first letter, still waiting for them.
    for group in others:
        assert [letter.redriven for letter in by_group[group]] == [False], group
    assert len(after) == len(GROUPS) + 1
    assert [c.stats.dead_lettered for c in consumers] == [2, 1, 1]
