"""kafka-python factories: producer, consumer, topic creation. Used only by the relay and
consumer processes (never on the request path)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from talent_contracts import EVENT_TYPES, dlq_topic, service_topic, topic_for
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)


def _common(settings: ServiceSettings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers.split(","),
        "security_protocol": settings.kafka_security_protocol,
        "client_id": f"talent-{settings.service_name}",
    }


def _clients(settings: ServiceSettings) -> dict[str, Any]:
    """Settings of producers and consumers (the admin client takes fewer)."""
    return {**_common(settings), "metadata_max_age_ms": settings.kafka_metadata_max_age_ms}


def create_producer(settings: ServiceSettings) -> KafkaProducer:
    """A producer that waits for every in-sync replica (acks=all).

    Idempotence is off by default because Tansu never recovers an idempotent producer
    after a restart (FACTS.md); production turns it on with
    `TALENT_<SERVICE>_KAFKA_IDEMPOTENT_PRODUCER=true`.
    """
    return KafkaProducer(
        **_clients(settings),
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        linger_ms=0,
        retries=3,
        max_in_flight_requests_per_connection=1,
        request_timeout_ms=10000,
        max_block_ms=10000,
    )


def create_consumer(settings: ServiceSettings, *, group_id: str) -> KafkaConsumer:
    """An unsubscribed consumer with manual commits; the caller subscribes."""
    return KafkaConsumer(
        **_clients(settings),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        max_poll_interval_ms=settings.kafka_max_poll_interval_ms,
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
    )


def service_topics(service: str, *, prefix: str = "") -> list[str]:
    topic = service_topic(service, prefix=prefix)
    return [topic, dlq_topic(topic)]


def declared_topics(*, prefix: str = "", with_dlq: bool = False) -> list[str]:
    """Every topic the code declares: one per service and major version of the event
    types in talent_contracts (and each one's DLQ with `with_dlq`). Payloads registered
    elsewhere (tests, benchmarks) do not count."""
    topics = sorted(
        {
            topic_for(event_type, prefix=prefix)
            for event_type, payload in EVENT_TYPES.items()
            if payload.__module__.startswith("talent_contracts.")
        }
    )
    if with_dlq:
        return sorted([*topics, *(dlq_topic(t) for t in topics)])
    return topics


def create_admin(settings: ServiceSettings) -> KafkaAdminClient:
    return KafkaAdminClient(**_common(settings), request_timeout_ms=10000)


def create_missing_topics(
    admin: KafkaAdminClient, topics: Iterable[str], *, partitions: int = 3, replication: int = 1
) -> list[str]:
    """Create the topics the broker does not have; returns the ones created."""
    existing = set(admin.list_topics())
    missing = [t for t in dict.fromkeys(topics) if t not in existing]
    if missing:
        try:
            admin.create_topics(
                [
                    NewTopic(name=t, num_partitions=partitions, replication_factor=replication)
                    for t in missing
                ]
            )
            log.info("created topics", extra={"topics": missing})
        except TopicAlreadyExistsError:
            pass
    return missing


def ensure_topics(
    settings: ServiceSettings, topics: Iterable[str], *, partitions: int = 3, replication: int = 1
) -> None:
    """Create topics explicitly (idempotent): auto-creation is not relied upon."""
    admin = create_admin(settings)
    try:
        create_missing_topics(admin, topics, partitions=partitions, replication=replication)
    finally:
        admin.close()
