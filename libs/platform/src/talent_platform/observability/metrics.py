"""Prometheus metrics of a service's API and of its worker.

API (`/metrics` on the service port): request latency, outbox backlog and the age of
the oldest unsent row (read from the service's own database at scrape time), plus any
`ScrapeGauge` a service adds (the recommender's model age).
Worker (`/metrics` on `worker_metrics_port`): the same outbox gauges, relay and consumer
counters, consumer lag per partition (published positions minus the consumer's
committed position, see events/positions.py) and, per DLQ topic, the dead letters its
own consumer group wrote that are waiting for a redrive (events/dlq.py `WaitingLetters`),
and per periodic job its failures and the time of its last success.
Every series carries a `service` label.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, text
from sqlalchemy.ext.asyncio import AsyncConnection

from talent_contracts import dlq_topic

if TYPE_CHECKING:
    from talent_platform.db.session import Database
    from talent_platform.events.consumer import EventConsumer
    from talent_platform.events.positions import OffsetReader
    from talent_platform.events.relay import OutboxRelay
    from talent_platform.periodic import RunningJob

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

OUTBOX_SQL = text(
    "SELECT count(*) AS backlog, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL"
)


@dataclass(frozen=True)
class ScrapeGauge:
    """A gauge read from the service's database at every scrape, e.g.
    `ScrapeGauge("talent_recommender_model_age_seconds", "Age of the active model", read)`.
    `read` returns None when there is nothing to report (the series is then omitted)."""

    name: str
    documentation: str
    read: Callable[[Database], Awaitable[float | None]]


def outbox_state_sync(conn: Connection) -> tuple[int, float]:
    row = conn.execute(OUTBOX_SQL).one()
    return int(row.backlog), _age(row.oldest)


async def outbox_state(conn: AsyncConnection) -> tuple[int, float]:
    row = (await conn.execute(OUTBOX_SQL)).one()
    return int(row.backlog), _age(row.oldest)


def _age(oldest: dt.datetime | None) -> float:
    if oldest is None:
        return 0.0
    return max(0.0, (dt.datetime.now(dt.UTC) - oldest).total_seconds())


class ApiMetrics:
    """The API's registry: a latency histogram observed by the HTTP middleware, and
    gauges refreshed from the database when `/metrics` is scraped."""

    def __init__(self, service: str, gauges: Sequence[ScrapeGauge] = ()) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "talent_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status code.",
            ["service", "method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.backlog = Gauge(
            "talent_outbox_backlog",
            "Outbox rows not yet published.",
            ["service"],
            registry=self.registry,
        )
        self.oldest = Gauge(
            "talent_outbox_oldest_unsent_age_seconds",
            "Age of the oldest outbox row not yet published (0 when none).",
            ["service"],
            registry=self.registry,
        )
        self.scrape_errors = Gauge(
            "talent_metrics_scrape_errors",
            "1 when a database-backed gauge could not be read at the last scrape.",
            ["service"],
            registry=self.registry,
        )
        self.gauges = [
            (g, Gauge(g.name, g.documentation, ["service"], registry=self.registry)) for g in gauges
        ]

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.latency.labels(self.service, method, route, str(status)).observe(seconds)

    async def refresh(self, database: Database) -> None:
        failed = 0
        try:
            async with database.engine.connect() as conn:
                backlog, oldest = await outbox_state(conn)
            self.backlog.labels(self.service).set(backlog)
            self.oldest.labels(self.service).set(oldest)
        except Exception:
            failed = 1
            log.warning("reading the outbox for metrics failed", exc_info=True)
        for spec, gauge in self.gauges:
            try:
                value = await spec.read(database)
            except Exception:
                failed = 1
                log.warning("scrape gauge failed", extra={"gauge": spec.name}, exc_info=True)
                continue
            if value is None:
                with contextlib.suppress(KeyError):
                    gauge.remove(self.service)
            else:
                gauge.labels(self.service).set(value)
        self.scrape_errors.labels(self.service).set(failed)


@dataclass
class ConsumerLag:
    topic: str
    partition: int
    end: int
    position: int

    @property
    def lag(self) -> int:
        return max(0, self.end - self.position)


def consumer_lag(
    consumer: EventConsumer, reader: OffsetReader, topics: Iterable[str]
) -> list[ConsumerLag]:
    """Lag of `consumer` per partition of `topics`: the published end of each partition
    (positions.py) minus the consumer's position (after its last committed record; from
    the group's committed offset when this process has not handled that partition)."""
    result = []
    for topic in topics:
        partitions = reader.partitions(topic)
        ends = reader.published_ends(partitions)
        unknown = [
            tp for tp in partitions if f"{tp.topic}:{tp.partition}" not in consumer.stats.positions
        ]
        committed = reader.committed(consumer.group_id, unknown) if unknown else {}
        for tp in partitions:
            position = consumer.stats.positions.get(f"{tp.topic}:{tp.partition}")
            if position is None:
                position = committed.get(tp) or 0
            result.append(ConsumerLag(tp.topic, tp.partition, ends.get(tp, 0), position))
    return result


@dataclass(frozen=True)
class OffsetFigures:
    lag: list[ConsumerLag]
    dead_letters: dict[str, int]
    read_at: float
    """`time.monotonic()` when the broker answered."""


class BrokerFigures:
    """Consumer lag and dead letters waiting, read from the broker on a thread of their
    own so that a scrape never waits on a broker that does not answer.

    A scrape starts a read (unless one is still running), waits up to `wait_s` for it,
    and serves the last figures the broker gave, fresh or not; `age_s` says how old."""

    def __init__(
        self,
        service: str,
        *,
        consumer: EventConsumer,
        reader: OffsetReader,
        topics: Sequence[str],
        wait_s: float = 2.0,
    ) -> None:
        self.service = service
        self.consumer = consumer
        self.reader = reader
        self.topics = list(topics)
        self.wait_s = wait_s
        from talent_platform.events.dlq import WaitingLetters  # worker only: kafka-python

        self.dead_letters = WaitingLetters(reader, group=consumer.group_id)
        self._lock = threading.Lock()  # guards the fields below; never held over I/O
        self._last: OffsetFigures | None = None
        self._reading: threading.Event | None = None
        self._last_read_failed = False

    def current(self) -> tuple[OffsetFigures | None, bool]:
        """The latest figures, and whether the read this scrape waited for succeeded."""
        with self._lock:
            reading = self._reading
            if reading is None:
                reading = self._reading = threading.Event()
                threading.Thread(
                    target=self._read, args=(reading,), name="worker-offsets", daemon=True
                ).start()
        finished = reading.wait(self.wait_s)
        with self._lock:
            if not finished:
                log.warning("broker offsets not read in time; serving the last known figures")
            return self._last, finished and not self._last_read_failed

    def _read(self, reading: threading.Event) -> None:
        failed = False
        figures: OffsetFigures | None = None
        try:
            lag = consumer_lag(self.consumer, self.reader, self.topics)
            try:
                waiting = self.dead_letters.count(dlq_topic(topic) for topic in self.topics)
            except Exception:
                # Reading the letters themselves can take longer than offsets: lag
                # stays fresh, the dead-letter counts stay the last known.
                failed = True
                log.warning("counting dead letters for metrics failed", exc_info=True)
                waiting = self._last.dead_letters if self._last is not None else {}
            figures = OffsetFigures(lag, waiting, time.monotonic())
        except Exception:
            failed = True
            log.warning("reading broker offsets for metrics failed", exc_info=True)
        with self._lock:
            if figures is not None:
                self._last = figures
            self._last_read_failed = failed
            self._reading = None
        reading.set()


class WorkerCollector(Collector):
    """Reads the relay, the consumer, the periodic jobs, the outbox and the broker's offsets
    at scrape time."""

    def __init__(
        self,
        service: str,
        *,
        engine: Engine,
        relay: OutboxRelay | None,
        consumer: EventConsumer | None,
        reader: OffsetReader | None,
        consumed_topics: Sequence[str],
        jobs: Sequence[RunningJob] = (),
    ) -> None:
        self.service = service
        self.engine = engine
        self.relay = relay
        self.consumer = consumer
        self.reader = reader
        self.consumed_topics = list(consumed_topics)
        self.jobs = list(jobs)
        self.broker_figures = (
            BrokerFigures(service, consumer=consumer, reader=reader, topics=consumed_topics)
            if consumer is not None and reader is not None
            else None
        )

    def describe(self) -> Iterable[Metric]:
        return []  # collected lazily: the registry must not scrape at registration

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        errors = 0
        labels = [self.service]
        try:
            with self.engine.connect() as conn:
                backlog, oldest = outbox_state_sync(conn)
            yield _gauge("talent_outbox_backlog", "Outbox rows not yet published.", labels, backlog)
            yield _gauge(
                "talent_outbox_oldest_unsent_age_seconds",
                "Age of the oldest outbox row not yet published (0 when none).",
                labels,
                oldest,
            )
        except Exception:
            errors += 1
            log.warning("reading the outbox for metrics failed", exc_info=True)
        if self.relay is not None:
            yield _counter(
                "talent_relay_published",
                "Outbox rows published and acknowledged by the broker.",
                labels,
                self.relay.published,
            )
            yield _counter(
                "talent_relay_publish_failures",
                "Relay batches that failed to publish (retried).",
                labels,
                self.relay.failures,
            )
            yield _counter(
                "talent_relay_restarts",
                "Times the relay loop failed (database lost, say) and started over.",
                labels,
                self.relay.restarts,
            )
            yield _gauge(
                "talent_relay_leading",
                "1 when this worker's relay holds the service's relay lock.",
                labels,
                1 if self.relay.leading else 0,
            )
        if self.consumer is not None:
            stats = self.consumer.stats
            family = CounterMetricFamily(
                "talent_consumer_records",
                "Records handled by the consumer, by outcome.",
                labels=["service", "outcome"],
            )
            for outcome, value in (
                ("processed", stats.processed),
                ("duplicate", stats.duplicates),
                ("skipped", stats.skipped),
                ("dead_lettered", stats.dead_lettered),
            ):
                family.add_metric([self.service, outcome], value)
            yield family
            if self.broker_figures is not None:
                figures, fresh = self.broker_figures.current()
                if not fresh:
                    errors += 1
                yield from _offset_metrics(self.service, self.consumer.group_id, figures)
        if self.jobs:
            yield from _job_metrics(self.service, self.jobs)
        yield _gauge(
            "talent_metrics_scrape_errors",
            "Parts of the last scrape that could not be read.",
            labels,
            errors,
        )
        yield _gauge(
            "talent_metrics_scrape_duration_seconds",
            "Time the last scrape took.",
            labels,
            time.perf_counter() - started,
        )


def _offset_metrics(service: str, group: str, figures: OffsetFigures | None) -> Iterator[Metric]:
    lag_family = GaugeMetricFamily(
        "talent_consumer_lag",
        "Records published to a partition and not yet handled by this service's "
        "consumer group (published positions minus committed position).",
        labels=["service", "group", "topic", "partition"],
    )
    dlq_family = GaugeMetricFamily(
        "talent_dlq_messages",
        "Records this service's consumer group dead-lettered to a DLQ topic and its "
        "redrive has not resent yet (other groups' letters in the topic are not counted).",
        labels=["service", "topic"],
    )
    if figures is not None:
        for lag in figures.lag:
            lag_family.add_metric([service, group, lag.topic, str(lag.partition)], lag.lag)
        for topic, count in figures.dead_letters.items():
            dlq_family.add_metric([service, topic], count)
    yield lag_family
    yield dlq_family
    if figures is not None:
        yield _gauge(
            "talent_broker_offsets_age_seconds",
            "Age of the lag and dead-letter figures: they are the last the broker gave, "
            "and grow old while it does not answer.",
            [service],
            time.monotonic() - figures.read_at,
        )


def _job_metrics(service: str, jobs: Sequence[RunningJob]) -> Iterator[Metric]:
    failures = CounterMetricFamily(
        "talent_periodic_job_failures",
        "Runs of a periodic job that raised (each is retried at its next interval).",
        labels=["service", "job"],
    )
    last_success = GaugeMetricFamily(
        "talent_periodic_job_last_success_timestamp_seconds",
        "Unix time a periodic job last ran to the end without error (omitted before then).",
        labels=["service", "job"],
    )
    for job in jobs:
        failures.add_metric([service, job.job.name], job.failures)
        if job.last_success is not None:
            last_success.add_metric([service, job.job.name], job.last_success)
    yield failures
    yield last_success


def _gauge(name: str, documentation: str, labels: list[str], value: float) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=["service"])
    family.add_metric(labels, value)
    return family


def _counter(name: str, documentation: str, labels: list[str], value: float) -> Metric:
    family = CounterMetricFamily(name, documentation, labels=["service"])
    family.add_metric(labels, value)
    return family


def parse_samples(text_format: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Samples of a Prometheus text exposition, keyed by (name, sorted labels): for tests
    and the CLI."""
    from prometheus_client.parser import text_string_to_metric_families

    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text_format):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample_values(text_format: str, name: str) -> list[tuple[dict[str, str], float]]:
    return [
        (dict(labels), value)
        for (sample_name, labels), value in parse_samples(text_format).items()
        if sample_name == name
    ]
