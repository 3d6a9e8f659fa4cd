"""Fault: dead letters of two services' consumer groups in one DLQ topic; each service
redrives its own, one after the other, and an operator lists them without naming a
service (`talent events dlq list` without `--service`).

Each letter must be listed as redriven exactly when its own service's redrive passed it,
as `--service` shows it, never by another service's redrive.
"""

from __future__ import annotations

import uuid

from kafka import KafkaProducer

from talent_contracts import dlq_topic
from talent_devtools.broker import create_topics
from talent_platform.events.dlq import DeadLetter, group_of, list_dead_letters, redrive
from talent_platform.events.envelope import Envelope, encode
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, WidgetCreated

SIBLING = "faultsibling"


def redriven(letters: list[DeadLetter]) -> dict[str, list[bool]]:
    by_group: dict[str, list[bool]] = {}
    for letter in letters:
        by_group.setdefault(letter.consumer_group or "", []).append(letter.redriven)
    return by_group


def test_each_letter_is_listed_as_redriven_by_its_own_service_only(
    settings: ServiceSettings,
) -> None:
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    dlq = dlq_topic(topic)
    bootstrap = settings.kafka_bootstrap_servers
    create_topics(bootstrap, [topic, dlq])
    producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    try:
        for service in (SERVICE, SIBLING, SERVICE, SIBLING):
            record = encode(
                Envelope.for_payload(
                    WidgetCreated(widget_id=f"w-{uuid.uuid4().hex[:8]}"), service=SERVICE
                )
            )
            producer.send(
                dlq,
                key=record.key,
                value=record.value,
                headers=[
                    *record.headers,
                    ("talent_error", b"RuntimeError: handler bug, since fixed"),
                    ("talent_original_topic", topic.encode()),
                    ("talent_consumer_group", group_of(service).encode()),
                ],
            ).get(timeout=10)
    finally:
        producer.close()
    own, sibling = group_of(SERVICE), group_of(SIBLING)

    assert len(redrive(settings, service=SERVICE, topics=[dlq]).sent) == 2
    everyone = list_dead_letters(settings, topics=[dlq])
    assert redriven(everyone) == {own: [True, True], sibling: [False, False]}
    assert redriven(list_dead_letters(settings, service=SERVICE, topics=[dlq])) == {
        own: [True, True]
    }
    assert redriven(list_dead_letters(settings, service=SIBLING, topics=[dlq])) == {
        sibling: [False, False]
    }

    assert len(redrive(settings, service=SIBLING, topics=[dlq]).sent) == 2
    everyone = list_dead_letters(settings, topics=[dlq])
    assert redriven(everyone) == {own: [True, True], sibling: [True, True]}
