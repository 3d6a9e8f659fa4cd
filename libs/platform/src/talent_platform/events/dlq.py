"""Dead-letter topics: list what is in them, and redrive records back to their topic.

A consumer dead-letters a record to `<topic>.dlq` with headers naming the error, the
original position and its consumer group (consumer.py). After the cause is fixed,
`redrive` sends each of one service's dead letters back to its original topic, once:
it reads the DLQs with the service's redrive group (`talent-<svc>-redrive`), and commits
each record's offset in that group right after the broker acknowledged the resend, so a
second run (or a rerun after a crash) starts after it. A crash between the resend and
the commit can resend one record, which the consumers' inboxes skip (same `ce_id`).

A resent record is addressed to the group whose letter it was: it carries
`talent_redrive_group: <group>`, and every other consumer group of the topic acknowledges
it and skips it without looking inside (`addressed_to_another_group`, checked by the
consumer loop before decoding). Without that, every group would read the resend again,
and a record no group can decode would be dead-lettered once more by each of them: one
redrive of one letter would put a new letter in every group's queue. Each group redrives
its own letters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaTimeoutError
from kafka.structs import OffsetAndMetadata

from talent_contracts import dlq_topic
from talent_platform.events.kafka import create_producer, declared_topics
from talent_platform.events.positions import OffsetReader, PositionLog
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

ERROR_HEADERS = (
    "talent_error",
    "talent_error_trace",
    "talent_original_topic",
    "talent_original_partition",
    "talent_original_offset",
    "talent_attempts",
    "talent_consumer_group",
)

REDRIVE_GROUP_HEADER = "talent_redrive_group"
"""On a redriven record: the one consumer group that should handle it."""

REDRIVE_HEADERS = ("talent_redriven_from", REDRIVE_GROUP_HEADER)


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    redriven: bool = False
    """True when the service's redrive group has already passed this record."""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    @property
    def consumer_group(self) -> str | None:
        return self.header("talent_consumer_group")

    @property
    def original_topic(self) -> str:
        return self.header("talent_original_topic") or self.topic.removesuffix(".dlq")

    @property
    def error(self) -> str:
        return self.header("talent_error") or ""

    @property
    def event_type(self) -> str | None:
        return self.header("ce_type")

    @property
    def event_id(self) -> str | None:
        return self.header("ce_id")

    def resend_headers(self) -> list[tuple[str, bytes]]:
        """The original headers (CloudEvents attributes, traceparent) without the error
        headers, addressed to the group that dead-lettered the record."""
        kept = [(k, v) for k, v in self.headers if k not in ERROR_HEADERS + REDRIVE_HEADERS]
        return [
            *kept,
            ("talent_redriven_from", f"{self.topic}:{self.partition}:{self.offset}".encode()),
            (REDRIVE_GROUP_HEADER, (self.consumer_group or "").encode()),
        ]


def addressed_to_another_group(record: ConsumerRecord, group: str) -> bool:
    """True for a redriven record meant for another consumer group than `group`."""
    for key, value in record.headers or []:
        if key == REDRIVE_GROUP_HEADER and value is not None:
            return bytes(value) != group.encode()
    return False


@dataclass
class RedriveResult:
    sent: list[DeadLetter] = field(default_factory=list)
    other_groups: int = 0


def redrive_group(service: str) -> str:
    """The consumer group that `talent events dlq redrive` commits on the DLQ topics."""
    return f"talent-{service}-redrive"


def dlq_topics(settings: ServiceSettings) -> list[str]:
    return [dlq_topic(t) for t in declared_topics(prefix=settings.topic_prefix)]


def group_of(service: str) -> str:
    """The consumer group of a service's worker (consumer.py's default)."""
    return f"talent-{service}"


def _reader_client(settings: ServiceSettings, group_id: str | None) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers.split(","),
        security_protocol=settings.kafka_security_protocol,
        client_id=f"talent-{settings.service_name}-dlq",
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        metadata_max_age_ms=settings.kafka_metadata_max_age_ms,
        request_timeout_ms=10000,
    )


def _records(
    client: KafkaConsumer,
    ends: dict[TopicPartition, int],
    *,
    idle_s: float,
    timeout_s: float,
) -> Iterator[ConsumerRecord]:
    """Records of the assigned partitions up to their published ends (or until nothing
    arrives for `idle_s`, when the ends are unknown)."""
    deadline = time.monotonic() + timeout_s
    last_record = time.monotonic()
    while time.monotonic() < deadline:
        if ends and all(client.position(tp) >= end for tp, end in ends.items()):
            return
        batches = client.poll(timeout_ms=200, max_records=500)
        if not batches:
            if time.monotonic() - last_record > idle_s:
                return
            continue
        last_record = time.monotonic()
        for tp in sorted(batches, key=lambda t: (t.topic, t.partition)):
            yield from batches[tp]


def _partitions(reader: OffsetReader, topics: Iterable[str]) -> list[TopicPartition]:
    return [tp for topic in topics for tp in reader.partitions(topic)]


def list_dead_letters(
    settings: ServiceSettings,
    *,
    service: str | None = None,
    topics: Iterable[str] | None = None,
    idle_s: float = 1.0,
    timeout_s: float = 60.0,
) -> list[DeadLetter]:
    """Every record in the DLQ topics (all declared ones by default); with `service`, only
    the ones its consumer group dead-lettered, marked `redriven` once its redrive passed."""
    reader = OffsetReader(settings)
    client = _reader_client(settings, None)
    try:
        partitions = _partitions(reader, topics if topics is not None else dlq_topics(settings))
        if not partitions:
            return []
        ends = {tp: end for tp, end in reader.published_ends(partitions).items() if end}
        client.assign(partitions)
        client.seek_to_beginning(*partitions)
        found = [
            letter
            for letter in (
                _letter(record)
                for record in _records(client, ends, idle_s=idle_s, timeout_s=timeout_s)
            )
            if service is None or letter.consumer_group == group_of(service)
        ]
        # Each letter is redriven by the redrive group of the service that dead-lettered
        # it, whichever service asks.
        redrivers = {
            group: redriver
            for group in {letter.consumer_group for letter in found if letter.consumer_group}
            if (redriver := redrive_group_of(group)) is not None
        }
        passed = {
            group: reader.committed(redriver, partitions) for group, redriver in redrivers.items()
        }
        return [
            replace(letter, redriven=_passed(letter, passed.get(letter.consumer_group or "")))
            for letter in found
        ]
    finally:
        client.close(autocommit=False)
        reader.close()


def redrive_group_of(consumer_group: str) -> str | None:
    """The redrive group of a service's consumer group (`group_of`); None for a group
    that is not a service's."""
    service = consumer_group.removeprefix("talent-")
    return redrive_group(service) if service != consumer_group else None


def _passed(letter: DeadLetter, redriven: dict[TopicPartition, int | None] | None) -> bool:
    offset = (redriven or {}).get(TopicPartition(letter.topic, letter.partition))
    return offset is not None and letter.offset < offset


def _letter(record: ConsumerRecord) -> DeadLetter:
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value or b"",
        headers=[(k, v) for k, v in (record.headers or []) if v is not None],
    )


def redrive(
    settings: ServiceSettings,
    *,
    service: str,
    topics: Iterable[str] | None = None,
    dry_run: bool = False,
    idle_s: float = 1.0,
    timeout_s: float = 300.0,
    producer_factory: Callable[[ServiceSettings], KafkaProducer] = create_producer,
    progress: Callable[[DeadLetter], None] | None = None,
) -> RedriveResult:
    """Send `service`'s dead letters not yet redriven back to their original topics."""
    group = redrive_group(service)
    reader = OffsetReader(settings)
    client = _reader_client(settings, group)
    producer: KafkaProducer | None = None
    positions = PositionLog(settings, shared=True)
    result = RedriveResult()
    try:
        partitions = _partitions(reader, topics if topics is not None else dlq_topics(settings))
        if not partitions:
            return result
        committed = reader.committed(group, partitions)
        ends = {tp: end for tp, end in reader.published_ends(partitions).items() if end}
        client.assign(partitions)
        for tp in partitions:
            start = committed.get(tp)
            if start is None:
                client.seek_to_beginning(tp)
            else:
                client.seek(tp, start)
        for record in _records(client, ends, idle_s=idle_s, timeout_s=timeout_s):
            letter = _letter(record)
            tp = TopicPartition(record.topic, record.partition)
            if letter.consumer_group != group_of(service):
                result.other_groups += 1
            elif not dry_run:
                if producer is None:
                    producer = producer_factory(settings)
                metadata = producer.send(
                    letter.original_topic,
                    key=letter.key,
                    value=letter.value,
                    headers=letter.resend_headers(),
                ).get(timeout=15)
                positions.record([metadata])
                result.sent.append(letter)
                if progress is not None:
                    progress(letter)
            else:
                result.sent.append(letter)
            if not dry_run:
                client.commit({tp: OffsetAndMetadata(record.offset + 1, "", -1)})
        return result
    finally:
        if producer is not None:
            producer.close(timeout=5)
        positions.close()
        client.close(autocommit=False)
        reader.close()


class WaitingLetters:
    """Per DLQ topic, the letters one consumer group wrote that its service's redrive has
    not passed yet: the worker's `talent_dlq_messages`. Several groups share a DLQ topic
    (every consumer of `talent.people.v1` writes to `talent.people.v1.dlq`), so offsets
    alone cannot tell; the group is in each letter's headers.

    Reads each DLQ partition once, incrementally: it keeps the offsets of the group's
    letters and reads only what was written since the last call, up to the published end
    (positions.py). A partition whose end went backwards (the broker lost its data) is
    read again from its start; one that already got more letters than before the loss
    when first read again is not noticed, and its count stays approximate until the
    worker restarts. Not thread-safe: one caller (the worker's metrics reader).
    """

    def __init__(self, reader: OffsetReader, *, group: str, timeout_s: float = 5.0) -> None:
        self.reader = reader
        self.group = group
        self.redriver = redrive_group_of(group)
        self.timeout_s = timeout_s
        self._read_up_to: dict[TopicPartition, int] = {}
        self._letters: dict[TopicPartition, list[int]] = {}

    def count(self, topics: Iterable[str]) -> dict[str, int]:
        """Letters waiting per DLQ topic of `topics` (DLQ names). Raises KafkaError when
        the broker does not answer, or KafkaTimeoutError when a partition could not be
        read to its end in time (what was read is kept for the next call)."""
        by_topic = {topic: self.reader.partitions(topic) for topic in topics}
        partitions = [tp for found in by_topic.values() for tp in found]
        ends = self.reader.published_ends(partitions)
        redriven = self.reader.committed(self.redriver, partitions) if self.redriver else {}
        unread: dict[TopicPartition, int] = {}
        for tp in partitions:
            end = ends.get(tp, 0)
            if end < self._read_up_to.get(tp, 0):
                self._read_up_to[tp] = 0
                self._letters[tp] = []
            if end > self._read_up_to.get(tp, 0):
                unread[tp] = end
        if unread:
            self._read(unread)
        waiting: dict[str, int] = {}
        for topic, found in by_topic.items():
            waiting[topic] = 0
            for tp in found:
                passed = redriven.get(tp) or 0
                # Letters the redrive passed stay passed: forget them.
                kept = self._letters[tp] = [o for o in self._letters.get(tp, []) if o >= passed]
                waiting[topic] += len(kept)
        return waiting

    def _read(self, ends: dict[TopicPartition, int]) -> None:
        # A client per read, closed after it: most scrapes find nothing new to read.
        client = _reader_client(self.reader.settings, None)
        try:
            client.assign(list(ends))
            for tp in ends:
                client.seek(tp, self._read_up_to.get(tp, 0))
            for record in _records(client, ends, idle_s=self.timeout_s, timeout_s=self.timeout_s):
                tp = TopicPartition(record.topic, record.partition)
                if _letter(record).consumer_group == self.group:
                    self._letters.setdefault(tp, []).append(record.offset)
                self._read_up_to[tp] = record.offset + 1
        finally:
            client.close(autocommit=False)
        short = [tp for tp, end in ends.items() if self._read_up_to.get(tp, 0) < end]
        if short:
            raise KafkaTimeoutError(f"dead-letter topics not read to their end: {short}")
