"""Fault: a dead letter redriven by its service, then listed by an operator who does not
name the service (`talent events dlq list` without `--service`).

The listing must show the letter as redriven, as `--service` does, not as waiting.
"""

from __future__ import annotations

import uuid

from kafka import KafkaProducer

from talent_contracts import dlq_topic
from talent_devtools.broker import create_topics
from talent_platform.events.dlq import group_of, list_dead_letters, redrive
from talent_platform.events.envelope import Envelope, encode
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, WidgetCreated


def test_a_redriven_letter_is_listed_as_redriven_without_naming_the_service(
    settings: ServiceSettings,
) -> None:
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    dlq = dlq_topic(topic)
    bootstrap = settings.kafka_bootstrap_servers
    create_topics(bootstrap, [topic, dlq])
    record = encode(
        Envelope.for_payload(WidgetCreated(widget_id=f"w-{uuid.uuid4().hex[:8]}"), service=SERVICE)
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    try:
        producer.send(
            dlq,
            key=record.key,
            value=record.value,
            headers=[
                *record.headers,
                ("talent_error", b"RuntimeError: handler bug, since fixed"),
                ("talent_original_topic", topic.encode()),
                ("talent_consumer_group", group_of(SERVICE).encode()),
            ],
        ).get(timeout=10)
    finally:
        producer.close()

    assert len(redrive(settings, service=SERVICE, topics=[dlq]).sent) == 1

    by_service = list_dead_letters(settings, service=SERVICE, topics=[dlq])
    everyone = list_dead_letters(settings, topics=[dlq])
    assert [letter.redriven for letter in by_service] == [True]
    assert [letter.redriven for letter in everyone] == [True]
