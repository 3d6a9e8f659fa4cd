"""Where records were written, kept on the broker: a replacement for `end_offsets()`.

Tansu answers ListOffsets with wrong values (FACTS.md), so lag cannot be computed from
the broker's end offsets. Every writer in the platform (the outbox relay, the consumer's
dead-letter writer, `talent events dlq redrive`) knows exactly where its acknowledged
records went (the RecordMetadata of each send): after each batch it commits "next offset
= last acknowledged + 1" per partition into the consumer group `talent.positions`, which
no consumer ever joins. Readers fetch those committed offsets (OffsetFetch, which Tansu
implements correctly) as the end of each partition.

Consumer lag per partition is then: published end (from the outbox positions above)
minus the consumer's position (the offset after the last record whose inbox row
committed). The records are written only through the platform, so the positions are
exact; a broker that lost its data loses the group too, and the writers start over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

POSITIONS_GROUP = "talent.positions"
BROKER_CALL_TIMEOUT_MS = 5000
"""Bound of one offset fetch or commit: a broker that does not answer (paused, partitioned)
must not hold a publish, a dead letter or a metrics read for longer."""


def _client(settings: ServiceSettings, group_id: str) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers.split(","),
        security_protocol=settings.kafka_security_protocol,
        client_id=f"talent-{settings.service_name}-positions",
        group_id=group_id,
        enable_auto_commit=False,
        request_timeout_ms=10000,
        metadata_max_age_ms=settings.kafka_metadata_max_age_ms,
    )


class PositionLog:
    """Records acknowledged write positions. Never raises: positions feed metrics only.

    `shared=True` for partitions that several processes write (dead-letter topics): the
    committed value is read first and only ever raised.
    """

    def __init__(self, settings: ServiceSettings, *, shared: bool = False) -> None:
        self.settings = settings
        self.shared = shared
        self._client: KafkaConsumer | None = None
        self._known: dict[TopicPartition, int] = {}
        self._lock = threading.Lock()

    def record(self, acknowledged: Iterable[Any]) -> None:
        """`acknowledged`: RecordMetadata (topic, partition, offset) of sent records."""
        ends: dict[TopicPartition, int] = {}
        for metadata in acknowledged:
            tp = TopicPartition(metadata.topic, metadata.partition)
            ends[tp] = max(ends.get(tp, 0), int(metadata.offset) + 1)
        if not ends:
            return
        with self._lock:
            try:
                client = self._ensure()
                for tp in ends:
                    if self.shared or tp not in self._known:
                        committed = client.committed(tp, timeout_ms=BROKER_CALL_TIMEOUT_MS)
                        self._known[tp] = max(self._known.get(tp, 0), committed or 0)
                raised = {tp: end for tp, end in ends.items() if end > self._known[tp]}
                if raised:
                    client.commit(
                        {tp: OffsetAndMetadata(end, "", -1) for tp, end in raised.items()},
                        timeout_ms=BROKER_CALL_TIMEOUT_MS,
                    )
                    self._known.update(raised)
            except Exception:  # positions feed metrics: never fail a publish over them
                log.warning("recording write positions failed", exc_info=True)
                self._reset_locked()

    def reset(self) -> None:
        """Forget what is known (the broker may have lost its data)."""
        with self._lock:
            self._reset_locked()

    def _reset_locked(self) -> None:
        self._known.clear()
        if self._client is not None:
            try:
                self._client.close(autocommit=False)
            except Exception:
                log.debug("closing the positions client failed", exc_info=True)
            self._client = None

    def _ensure(self) -> KafkaConsumer:
        if self._client is None:
            self._client = _client(self.settings, POSITIONS_GROUP)
        return self._client

    def close(self) -> None:
        self.reset()


class OffsetReader:
    """Reads committed offsets of any group (published ends: `POSITIONS_GROUP`), and the
    partitions of topics. Thread-safe (one lock; kafka-python clients are not). Every call
    is bounded (`BROKER_CALL_TIMEOUT_MS`, then KafkaTimeoutError); the worker's metrics
    read it off the scrape's thread (observability/metrics.py `BrokerFigures`)."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._clients: dict[str, KafkaConsumer] = {}
        self._lock = threading.Lock()

    def partitions(self, topic: str) -> list[TopicPartition]:
        with self._lock:
            try:
                found = self._client(POSITIONS_GROUP).partitions_for_topic(topic) or set()
            except (KafkaError, OSError):
                self._close_locked()
                raise
        return [TopicPartition(topic, p) for p in sorted(found)]

    def committed(
        self, group: str, partitions: Iterable[TopicPartition]
    ) -> dict[TopicPartition, int | None]:
        with self._lock:
            try:
                client = self._client(group)
                return {
                    tp: client.committed(tp, timeout_ms=BROKER_CALL_TIMEOUT_MS) for tp in partitions
                }
            except (KafkaError, OSError):
                self._close_locked()
                raise

    def published_ends(self, partitions: Iterable[TopicPartition]) -> Mapping[TopicPartition, int]:
        return {tp: end or 0 for tp, end in self.committed(POSITIONS_GROUP, partitions).items()}

    def _client(self, group: str) -> KafkaConsumer:
        if group not in self._clients:
            self._clients[group] = _client(self.settings, group)
        return self._clients[group]

    def _close_locked(self) -> None:
        for client in self._clients.values():
            try:
                client.close(autocommit=False)
            except Exception:
                log.debug("closing an offset reader failed", exc_info=True)
        self._clients.clear()

    def close(self) -> None:
        with self._lock:
            self._close_locked()
