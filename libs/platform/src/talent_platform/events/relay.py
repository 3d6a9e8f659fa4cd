"""The outbox relay: publishes committed outbox rows to Kafka in commit order.

It wakes on the commit (LISTEN/NOTIFY) and polls only as a fallback. A row is marked
sent only after the broker acknowledged it (acks=all); after any broker error the
producer is rebuilt (Tansu never recovers an idempotent one) and the same rows are sent
again, so delivery is at-least-once and consumers dedupe by `ce_id`. One relay per
service holds a PostgreSQL advisory lock; a second replica waits as a standby.

Each record gets a publish span, a child of the trace context stored in its outbox row
(the mutation that wrote it), and carries the publish span's `traceparent` to the
consumers. Acknowledged offsets are recorded as the topic's published positions
(positions.py), from which consumer lag is computed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import Engine, Row, Select, Table, func, select, text

from talent_platform.db.errors import is_database_unavailable
from talent_platform.db.session import libpq_url
from talent_platform.events.envelope import Envelope, encode
from talent_platform.events.kafka import (
    create_admin,
    create_missing_topics,
    create_producer,
    service_topics,
)
from talent_platform.events.positions import PositionLog
from talent_platform.observability.tracing import context_from_headers, inject_into, tracer
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

ProducerFactory = Callable[[ServiceSettings], KafkaProducer]
TOPIC_CHECK_INTERVAL_S = 1.0
RESTART_BACKOFF_MIN_S = 0.5
RESTART_BACKOFF_MAX_S = 10.0

# The oldest transaction still running in this database (as a 64-bit id, like the
# outbox's txid column). Rows written by it or by any later transaction wait, so rows
# are published in commit order. Only this database counts: a long transaction in
# another service's database (same cluster in dev) must not stall this relay. The
# relay's role must see the writers' sessions in pg_stat_activity (same role, or
# pg_read_all_stats).
HORIZON_SQL = """COALESCE((
  SELECT min(CASE WHEN w.full > c.xmax THEN w.full - 4294967296 ELSE w.full END)
  FROM (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax) AS c,
       LATERAL (
         SELECT ((c.xmax >> 32) << 32) | a.backend_xid::text::bigint AS full
         FROM pg_stat_activity AS a
         WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL
           AND a.pid <> pg_backend_pid()
       ) AS w
), 9223372036854775807)"""


def envelope_of(row: Row[Any]) -> Envelope:
    return Envelope(
        id=row.event_id,
        source=row.source,
        type=row.event_type,
        time=row.event_time,
        subject=row.subject,
        data=bytes(row.payload),
        extra_headers=json.loads(row.headers) if row.headers else {},
    )


class Publisher:
    """Sends outbox rows and waits for the broker; rebuilds its producer after errors."""

    def __init__(
        self,
        settings: ServiceSettings,
        factory: ProducerFactory = create_producer,
        *,
        positions: PositionLog | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.positions = positions if positions is not None else PositionLog(settings)
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._topics_checked = -TOPIC_CHECK_INTERVAL_S
        self.topics = service_topics(settings.service_name, prefix=settings.topic_prefix)

    def _ensure(self) -> KafkaProducer:
        # Checked again every second, not once: Tansu acknowledges records for a topic it
        # lost in a restart and drops them (FACTS.md), so a vanished topic must be seen
        # and recreated. Records sent in the window before the next check are what
        # `talent events replay` covers.
        if self._admin is None:
            self._admin = create_admin(self.settings)
        now = time.monotonic()
        if now - self._topics_checked >= TOPIC_CHECK_INTERVAL_S:
            create_missing_topics(
                self._admin,
                self.topics,
                partitions=self.settings.kafka_topic_partitions,
                replication=self.settings.kafka_replication_factor,
            )
            self._topics_checked = now
        if self._producer is None:
            self._producer = self.factory(self.settings)
        return self._producer

    def send(self, rows: Sequence[Row[Any]]) -> None:
        """Publish rows in order; raises KafkaError (after resetting) if any send fails."""
        spans = []
        try:
            producer = self._ensure()
            futures = []
            for row in rows:
                envelope = envelope_of(row)
                topic = self.settings.topic_prefix + row.topic
                span = tracer().start_span(
                    f"{topic} publish",
                    context=context_from_headers(envelope.extra_headers),
                    kind=SpanKind.PRODUCER,
                    attributes={
                        "messaging.system": "kafka",
                        "messaging.operation.type": "publish",
                        "messaging.destination.name": topic,
                        "messaging.message.id": envelope.id,
                        "talent.event_type": envelope.type,
                    },
                )
                spans.append(span)
                headers = dict(envelope.extra_headers)
                with trace.use_span(span, end_on_exit=False):
                    inject_into(headers)
                record = encode(
                    Envelope(
                        id=envelope.id,
                        source=envelope.source,
                        type=envelope.type,
                        time=envelope.time,
                        subject=envelope.subject,
                        data=envelope.data,
                        extra_headers=headers,
                    ),
                    key=row.message_key,
                )
                futures.append(
                    producer.send(topic, key=record.key, value=record.value, headers=record.headers)
                )
            producer.flush(timeout=15)
            acknowledged = [future.get(timeout=15) for future in futures]
        except (KafkaError, OSError) as exc:
            for span in spans:
                span.set_status(Status(StatusCode.ERROR, repr(exc)))
                span.end()
            self.reset()
            raise KafkaError(f"publish failed: {exc!r}") from exc
        for span, metadata in zip(spans, acknowledged, strict=True):
            span.set_attribute("messaging.destination.partition.id", str(metadata.partition))
            span.set_attribute("messaging.kafka.offset", int(metadata.offset))
            span.end()
        self.positions.record(acknowledged)

    def reset(self) -> None:
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:
                log.debug("closing admin client failed", exc_info=True)
            self._admin = None
        self._topics_checked = -TOPIC_CHECK_INTERVAL_S
        self.positions.reset()
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:
                log.debug("closing producer failed", exc_info=True)
            self._producer = None

    def close(self) -> None:
        self.reset()


class OutboxRelay:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        engine: Engine,
        outbox: Table,
        publisher: Publisher | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.outbox = outbox
        self.publisher = publisher or Publisher(settings)
        self.channel = f"talent_outbox_{settings.service_name}"
        self.lock_id = zlib.crc32(self.channel.encode())
        self.published = 0
        self.failures = 0
        self.leading = False
        self.restarts = 0
        self._last_purge = 0.0

    def _pending_statement(self) -> Select[Any]:
        t = self.outbox
        return (
            select(t)
            .where(t.c.sent_at.is_(None), t.c.txid < text(HORIZON_SQL))
            .order_by(t.c.id)
            .limit(self.settings.outbox_batch_size)
        )

    def pending(self) -> Sequence[Row[Any]]:
        with self.engine.connect() as conn:
            return conn.execute(self._pending_statement()).all()

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were sent. One connection per batch:
        the select, then (after the broker acknowledged) the update marking them sent."""
        with self.engine.connect() as conn:
            rows = conn.execute(self._pending_statement()).all()
            conn.commit()
            if not rows:
                return 0
            ids = [row.id for row in rows]
            try:
                self.publisher.send(rows)
            except KafkaError as exc:
                self.failures += 1
                conn.execute(
                    self.outbox.update()
                    .where(self.outbox.c.id.in_(ids))
                    .values(attempts=self.outbox.c.attempts + 1, last_error=str(exc)[:2000])
                )
                conn.commit()
                raise
            conn.execute(
                self.outbox.update()
                .where(self.outbox.c.id.in_(ids))
                .values(sent_at=func.now(), last_error=None)
            )
            conn.commit()
        self.published += len(rows)
        return len(rows)

    def purge(self) -> int:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.settings.outbox_retention_days)
        with self.engine.begin() as conn:
            result = conn.execute(
                self.outbox.delete().where(
                    self.outbox.c.sent_at.is_not(None), self.outbox.c.created_at < cutoff
                )
            )
        return int(result.rowcount or 0)

    def run(self, stop: threading.Event) -> None:
        """Publish until `stop` is set. Any error (broker, database, or a bug) is logged,
        the leadership given up, and the loop starts over after a backoff: the thread
        only ends when stopped."""
        backoff = RESTART_BACKOFF_MIN_S
        try:
            while not stop.is_set():
                try:
                    self._lead_and_publish(stop)
                    backoff = RESTART_BACKOFF_MIN_S
                except Exception as exc:
                    self.leading = False
                    self.restarts += 1
                    log.warning(
                        "outbox relay failed; restarting",
                        extra={
                            "service": self.settings.service_name,
                            "database_unavailable": is_database_unavailable(exc),
                            "backoff_s": backoff,
                        },
                        exc_info=True,
                    )
                    stop.wait(backoff)
                    backoff = min(backoff * 2, RESTART_BACKOFF_MAX_S)
        finally:
            self.leading = False
            self.publisher.close()

    def _lead_and_publish(self, stop: threading.Event) -> None:
        """Take the relay lock, then publish until stopped; raises whatever breaks it."""
        backoff = 0.1
        with psycopg.connect(
            libpq_url(str(self.engine.url.render_as_string(hide_password=False))),
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            try:
                if not self._lead(conn, stop):
                    return
                self.leading = True
                conn.execute(f'LISTEN "{self.channel}"')
                log.info("outbox relay leading", extra={"service": self.settings.service_name})
                while not stop.is_set():
                    try:
                        sent = self.publish_pending()
                        backoff = 0.1
                    except KafkaError:
                        log.warning("outbox publish failed; retrying", exc_info=True)
                        stop.wait(backoff)
                        backoff = min(backoff * 2, 5.0)
                        continue
                    self._maybe_purge()
                    if sent >= self.settings.outbox_batch_size:
                        continue
                    # Sleep until a commit notifies us, or the fallback poll interval.
                    for _ in conn.notifies(
                        timeout=self.settings.outbox_poll_interval_s, stop_after=1
                    ):
                        pass
            finally:
                self.leading = False

    def _lead(self, conn: psycopg.Connection[Any], stop: threading.Event) -> bool:
        while not stop.is_set():
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_id,)).fetchone()
            if row and row[0]:
                return True
            stop.wait(2.0)
        return False

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._last_purge > 600:
            self._last_purge = now
            purged = self.purge()
            if purged:
                log.info("purged outbox rows", extra={"rows": purged})
