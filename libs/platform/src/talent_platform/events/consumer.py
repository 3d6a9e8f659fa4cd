"""The consumer loop: a poll batch applied set-based in one transaction, manual commits,
bounded retries of a poison record, dead letters.

For every poll: decode its records, then in one database transaction insert their
`ce_id`s into the inbox with one multi-row `INSERT ... ON CONFLICT DO NOTHING RETURNING`
(what it does not return was applied before: a duplicate, skipped), hand the new events
to the batch handlers in runs (events/handlers.py) and run the end-of-batch hooks; the
Kafka offsets are committed only after that transaction commits. If anything in the batch
fails, its transaction is rolled back and its records are applied one by one (`handle`):
a record that keeps failing there (or one that cannot be decoded) goes to `<topic>.dlq`
with the error in headers, and the partition moves on; while the database is away a
record waits instead; too many consecutive failures end the loop with an exception so
the supervisor restarts the process.

Each run of records is handled inside a consumer span: a single record's span is a child
of the `traceparent` in its headers (the relay's publish span), so one trace runs from
the mutation to its handler; a longer run's span links to every record's context.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError
from sqlalchemy import Engine, Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts import EVENT_TYPES, EventPayload, dlq_topic, parse_payload
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.db.errors import is_database_unavailable
from talent_platform.events.dlq import addressed_to_another_group
from talent_platform.events.envelope import Envelope, EnvelopeError, decode
from talent_platform.events.handlers import BatchItem, Handler, HandlerRegistry
from talent_platform.events.kafka import create_consumer, create_producer
from talent_platform.events.positions import PositionLog
from talent_platform.observability.tracing import span_from_headers, span_linked_to
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

__all__ = ["ConsumerStopping", "EventConsumer", "Handler", "HandlerRegistry", "TooManyFailures"]

# Records fetched per poll: one batch, one transaction.
MAX_POLL_RECORDS = 500
INBOX_COLUMNS = ("event_id", "event_type", "topic", "partition", "offset")


class TooManyFailures(RuntimeError):
    pass


class ConsumerStopping(Exception):
    """The loop was stopped while a record waited for the database: nothing past that
    record may be committed."""


class _Outage:
    """Waits out a database that is away: backoff doubling up to `max_s`, logged."""

    def __init__(self, max_s: float) -> None:
        self.max_s = max_s
        self.backoff = min(0.5, max_s)
        self.started: float | None = None

    def wait(
        self, stop: threading.Event, error: Exception, *, record: ConsumerRecord, ce_id: str
    ) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started = now
        log.warning(
            "database unavailable; waiting to apply the record",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "ce_id": ce_id,
                "waited_s": round(now - self.started, 1),
                "error": f"{type(error).__name__}: {error}"[:500],
            },
        )
        if stop.wait(self.backoff):
            raise ConsumerStopping("stopped while waiting for the database") from error
        self.backoff = min(self.backoff * 2, self.max_s)

    def over(self) -> None:
        if self.started is not None:
            log.info(
                "database available again",
                extra={"waited_s": round(time.monotonic() - self.started, 1)},
            )


@dataclass
class _Decoded:
    record: ConsumerRecord
    envelope: Envelope
    payload: EventPayload | None


@dataclass
class ConsumerStats:
    processed: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    positions: dict[str, int] = field(default_factory=dict)


class EventConsumer:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        engine: Engine,
        inbox: Table,
        registry: HandlerRegistry,
        topics: Iterable[str],
        group_id: str | None = None,
        consumer_factory: Callable[..., KafkaConsumer] = create_consumer,
        producer_factory: Callable[[ServiceSettings], KafkaProducer] = create_producer,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.inbox = inbox
        self.registry = registry
        self.topics = list(topics)
        self.group_id = group_id or f"talent-{settings.service_name}"
        self.consumer_factory = consumer_factory
        self.producer_factory = producer_factory
        self.stats = ConsumerStats()
        self._dlq_producer: KafkaProducer | None = None
        self._dlq_positions = PositionLog(settings, shared=True)
        self._consecutive_failures = 0
        self._stop = threading.Event()
        self.running = False
        self.last_poll = 0.0

    # -- records ----------------------------------------------------------------------
    def _decode(self, record: ConsumerRecord) -> tuple[Envelope, EventPayload | None]:
        envelope = decode(record.value, list(record.headers or []))
        payload = (
            parse_payload(envelope.type, envelope.data) if envelope.type in EVENT_TYPES else None
        )
        return envelope, payload

    def _apply(
        self,
        session: Session,
        record: ConsumerRecord,
        envelope: Envelope,
        payload: EventPayload | None,
    ) -> str:
        with span_from_headers(
            f"{record.topic} process",
            envelope.extra_headers,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
                "messaging.consumer.group.name": self.group_id,
                "messaging.message.id": envelope.id,
                "talent.event_type": envelope.type,
            },
        ) as span:
            try:
                outcome = self._apply_in_span(session, record, envelope, payload)
            except Exception as exc:
                span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
                raise
            span.set_attribute("talent.outcome", outcome)
            return outcome

    def _apply_in_span(
        self,
        session: Session,
        record: ConsumerRecord,
        envelope: Envelope,
        payload: EventPayload | None,
    ) -> str:
        inserted = session.execute(
            insert(self.inbox)
            .values(
                event_id=envelope.id,
                event_type=envelope.type,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(self.inbox.c.event_id)
        ).first()
        if inserted is None:
            return "duplicate"
        if payload is None or not self.registry.handles(envelope.type):
            return "skipped"
        # The same call as a batch's, with one item: its handler, then the hooks.
        self.registry.apply(session, [(payload, envelope)])
        return "processed"

    def _count(self, outcome: str) -> None:
        if outcome == "duplicate":
            self.stats.duplicates += 1
        elif outcome == "skipped":
            self.stats.skipped += 1
        else:
            self.stats.processed += 1

    def _addressed_here(self, records: Sequence[ConsumerRecord]) -> list[ConsumerRecord]:
        """The records for this group: a dead letter another group redrove is skipped
        unread (dlq.py), so it cannot poison this group too."""
        mine = [r for r in records if not addressed_to_another_group(r, self.group_id)]
        self.stats.skipped += len(records) - len(mine)
        return mine

    def handle_batch(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply a poll batch in one transaction, set-based; if anything in it fails,
        roll it back and apply its records one by one (`handle`: retries, dead letters,
        waiting for the database). Records that cannot be decoded are dead-lettered
        after the batch commits. Records of one partition must come in offset order."""
        decoded: list[_Decoded] = []
        undecodable: list[ConsumerRecord] = []
        for record in records:
            try:
                envelope, payload = self._decode(record)
            except (EnvelopeError, ValidationError, ValueError):
                undecodable.append(record)
                continue
            decoded.append(_Decoded(record, envelope, payload))
        try:
            with Session(self.engine) as session, session.begin():
                outcomes = self._apply_batch(session, decoded)
        except Exception:
            log.warning(
                "batch failed; applying its records one by one",
                extra={"records": len(records)},
                exc_info=True,
            )
            for record in records:
                self.handle(record)
            return
        for outcome in outcomes:
            self._count(outcome)
        if not undecodable:
            self._consecutive_failures = 0
        for record in undecodable:
            self.handle(record)

    def _apply_batch(self, session: Session, batch: Sequence[_Decoded]) -> list[str]:
        """The inbox insert of every record at once, then the new events' handlers in
        runs, then the end-of-batch hooks. Returns each record's outcome."""
        if not batch:
            return []
        firsts: dict[str, _Decoded] = {}
        for item in batch:
            firsts.setdefault(item.envelope.id, item)
        rows = [
            {
                "event_id": item.envelope.id,
                "event_type": item.envelope.type,
                "topic": item.record.topic,
                "partition": item.record.partition,
                "offset": item.record.offset,
            }
            for item in firsts.values()
        ]
        statement = (
            unnest_insert(self.inbox, INBOX_COLUMNS)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(self.inbox.c.event_id)
        )
        inserted = set(session.scalars(statement, unnest_params(rows, INBOX_COLUMNS)))
        outcomes: list[str] = []
        new: list[_Decoded] = []
        for item in batch:
            if item.envelope.id not in inserted or firsts[item.envelope.id] is not item:
                outcomes.append("duplicate")
            elif item.payload is None or not self.registry.handles(item.envelope.type):
                outcomes.append("skipped")
            else:
                outcomes.append("processed")
                new.append(item)
        by_envelope = {id(item.envelope): item for item in new}
        items: list[BatchItem] = [
            (item.payload, item.envelope) for item in new if item.payload is not None
        ]
        for handler, run in self.registry.runs(items):
            records = [by_envelope[id(envelope)].record for _, envelope in run]
            with self._run_span(records, [envelope for _, envelope in run]) as span:
                try:
                    handler(session, run)
                except Exception as exc:
                    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
                    raise
        self.registry.finish(session)
        return outcomes

    def _run_span(self, records: Sequence[ConsumerRecord], envelopes: Sequence[Envelope]) -> Any:
        first, envelope = records[0], envelopes[0]
        attributes: dict[str, Any] = {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": first.topic,
            "messaging.consumer.group.name": self.group_id,
            "talent.event_type": envelope.type,
        }
        if len(records) == 1:
            return span_from_headers(
                f"{first.topic} process",
                envelope.extra_headers,
                kind=SpanKind.CONSUMER,
                attributes={
                    **attributes,
                    "messaging.destination.partition.id": str(first.partition),
                    "messaging.kafka.offset": first.offset,
                    "messaging.message.id": envelope.id,
                },
            )
        return span_linked_to(
            f"{first.topic} process",
            [e.extra_headers for e in envelopes],
            kind=SpanKind.CONSUMER,
            attributes={**attributes, "messaging.batch.message_count": len(records)},
        )

    def handle(self, record: ConsumerRecord) -> None:
        """Process one record to completion: applied, skipped, or dead-lettered.

        While the database is away (`is_database_unavailable`) the record is retried
        without limit and nothing counts towards its attempts or the consecutive
        failures; raises `ConsumerStopping` if the loop is stopped meanwhile."""
        try:
            envelope, payload = self._decode(record)
        except (EnvelopeError, ValidationError, ValueError) as exc:
            self._dead_letter(record, exc, attempts=0)
            return
        last_error: Exception | None = None
        attempt = 0
        outage = _Outage(self.settings.consumer_database_backoff_max_s)
        while attempt < self.settings.consumer_max_attempts:
            try:
                with Session(self.engine) as session, session.begin():
                    outcome = self._apply(session, record, envelope, payload)
            except Exception as exc:
                if is_database_unavailable(exc):
                    outage.wait(self._stop, exc, record=record, ce_id=envelope.id)
                    continue
                attempt += 1
                last_error = exc
                log.warning(
                    "handler failed",
                    extra={"event_type": envelope.type, "ce_id": envelope.id, "attempt": attempt},
                    exc_info=True,
                )
                time.sleep(self.settings.consumer_retry_backoff_s * attempt)
                continue
            outage.over()
            self._count(outcome)
            self._consecutive_failures = 0
            return
        assert last_error is not None
        self._consecutive_failures += 1
        if self._consecutive_failures >= self.settings.consumer_max_consecutive_failures:
            raise TooManyFailures(
                f"{self._consecutive_failures} consecutive failures"
            ) from last_error
        self._dead_letter(record, last_error, attempts=self.settings.consumer_max_attempts)

    def _dead_letter(self, record: ConsumerRecord, error: Exception, *, attempts: int) -> None:
        if self._dlq_producer is None:
            self._dlq_producer = self.producer_factory(self.settings)
        headers = [(k, v) for k, v in (record.headers or []) if v is not None]
        headers += [
            ("talent_error", f"{type(error).__name__}: {error}"[:4000].encode()),
            ("talent_error_trace", "".join(traceback.format_exception(error))[-8000:].encode()),
            ("talent_original_topic", record.topic.encode()),
            ("talent_original_partition", str(record.partition).encode()),
            ("talent_original_offset", str(record.offset).encode()),
            ("talent_attempts", str(attempts).encode()),
            ("talent_consumer_group", self.group_id.encode()),
        ]
        try:
            metadata = self._dlq_producer.send(
                dlq_topic(record.topic), key=record.key, value=record.value or b"", headers=headers
            ).get(timeout=15)
        except Exception:
            self._dlq_producer.close(timeout=1)
            self._dlq_producer = None
            raise
        self._dlq_positions.record([metadata])
        self.stats.dead_lettered += 1
        log.error(
            "record sent to dead-letter topic",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "error": str(error),
            },
        )

    # -- the loop ---------------------------------------------------------------------
    def run(self, stop: threading.Event, *, after_poll: Callable[[], None] | None = None) -> None:
        """Consume until `stop` is set. `after_poll` runs on this thread after every poll,
        once what it fetched is applied and committed (the lag recorder)."""
        self._stop = stop
        consumer = self.consumer_factory(self.settings, group_id=self.group_id)
        assignments = _Assignments()
        consumer.subscribe(self.topics, listener=assignments)
        self.running = True
        try:
            while not stop.is_set():
                self.last_poll = time.monotonic()
                try:
                    batches: dict[TopicPartition, list[ConsumerRecord]] = consumer.poll(
                        timeout_ms=200, max_records=MAX_POLL_RECORDS
                    )
                except KafkaError:
                    log.warning("poll failed; retrying", exc_info=True)
                    stop.wait(0.5)
                    continue
                if assignments.new:
                    batches = _start_from_committed(consumer, assignments, batches)
                batches = {tp: records for tp, records in batches.items() if records}
                if not batches:
                    if after_poll is not None:
                        after_poll()
                    continue
                try:
                    # Partition after partition, each in offset order: one transaction.
                    self.handle_batch(
                        self._addressed_here([r for rs in batches.values() for r in rs])
                    )
                except ConsumerStopping:
                    log.info("consumer stopped while the database was away")
                    return
                offsets = {
                    tp: OffsetAndMetadata(records[-1].offset + 1, "", -1)
                    for tp, records in batches.items()
                }
                for tp, offset in offsets.items():
                    self.stats.positions[f"{tp.topic}:{tp.partition}"] = offset.offset
                try:
                    consumer.commit(offsets)
                except KafkaError:
                    # The database committed first: if the offset commit is lost (a
                    # rebalance, a broker restart), the batch is delivered again and the
                    # inbox skips what was already applied.
                    log.warning(
                        "offset commit failed",
                        extra={"partitions": sorted(str(tp) for tp in offsets)},
                        exc_info=True,
                    )
                if after_poll is not None:
                    after_poll()
        finally:
            self.running = False
            consumer.close()
            self._dlq_positions.close()
            if self._dlq_producer is not None:
                self._dlq_producer.close(timeout=1)


class _Assignments(ConsumerRebalanceListener):  # type: ignore[misc]
    """Notes newly assigned partitions. kafka-python calls this on its IO thread, where
    nothing may block, so the poll loop repositions them (`_start_from_committed`)."""

    def __init__(self) -> None:
        self.new: set[TopicPartition] = set()
        self.failed_lookups = 0

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.new -= set(revoked)

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.new |= set(assigned)


# How long one lookup of committed offsets may take, and how many failed lookups in a row
# make a partition start from the beginning instead (the inbox skips what was applied).
COMMITTED_LOOKUP_TIMEOUT_MS = 5000
COMMITTED_LOOKUP_ATTEMPTS = 3


def _start_from_committed(
    consumer: KafkaConsumer,
    assignments: _Assignments,
    batches: dict[TopicPartition, list[ConsumerRecord]],
) -> dict[TopicPartition, list[ConsumerRecord]]:
    """Start each newly assigned partition at its committed offset, or at the beginning
    when the group has none, and drop what was fetched for it before that. kafka-python
    can otherwise keep fetch positions from before a broker lost its log (Tansu after a
    restart) and skip the first records of the new log.

    The lookup is bounded: while the coordinator is away (a broker restarting under
    load) it fails, the partitions stay pending and their records are dropped until a
    later poll repositions them; after a few failures in a row they start from the
    beginning, so the loop never waits on a coordinator that does not answer."""
    pending = assignments.new & consumer.assignment()
    assignments.new = set()
    if not pending:
        return batches
    try:
        committed = {
            tp: consumer.committed(tp, timeout_ms=COMMITTED_LOOKUP_TIMEOUT_MS) for tp in pending
        }
    except KafkaError:
        assignments.failed_lookups += 1
        if assignments.failed_lookups < COMMITTED_LOOKUP_ATTEMPTS:
            log.warning("committed offsets unavailable; retrying", exc_info=True)
            assignments.new |= pending
            return {tp: records for tp, records in batches.items() if tp not in pending}
        log.warning(
            "committed offsets unavailable; starting from the beginning",
            extra={"partitions": sorted(str(tp) for tp in pending)},
        )
        committed = dict.fromkeys(pending)
    assignments.failed_lookups = 0
    for tp, offset in committed.items():
        if offset is None:
            consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, offset)
    return {tp: records for tp, records in batches.items() if tp not in pending}


def describe(stats: ConsumerStats) -> dict[str, Any]:
    return {
        "processed": stats.processed,
        "duplicates": stats.duplicates,
        "skipped": stats.skipped,
        "dead_lettered": stats.dead_lettered,
        "positions": dict(stats.positions),
    }
