"""A service's worker process: the outbox relay, the service's event consumer, its
periodic jobs (periodic.py), and (when `worker_metrics_port` is set) a small HTTP
endpoint with `/metrics` and `/healthz`. With a `lag_table`, the consumer records its lag
there for the service's API (events/lag.py)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from prometheus_client import CollectorRegistry
from sqlalchemy import Table

from talent_platform.db.session import create_sync_engine
from talent_platform.events.consumer import EventConsumer, HandlerRegistry
from talent_platform.events.kafka import ensure_topics, service_topics
from talent_platform.events.lag import LagRecorder
from talent_platform.events.positions import OffsetReader
from talent_platform.events.relay import OutboxRelay
from talent_platform.events.tables import MessagingTables
from talent_platform.logging import configure_logging
from talent_platform.observability.metrics import WorkerCollector
from talent_platform.observability.tracing import configure_tracing
from talent_platform.observability.worker_http import WorkerEndpoint
from talent_platform.periodic import PeriodicJob, RunningJob
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)


class Worker:
    """The relay thread, the consumer loop, the periodic jobs' threads and the metrics
    endpoint of one service.

    `run(stop)` blocks until `stop` is set (or the consumer gives up); `run_worker` wraps
    it with logging, tracing and signal handling for `python -m talent_<svc>.worker`.
    """

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        tables: MessagingTables,
        registry: HandlerRegistry | None = None,
        consumes: list[str] | None = None,
        lag_table: Table | None = None,
        periodic: Sequence[PeriodicJob] = (),
    ) -> None:
        self.settings = settings
        self.lag_table = lag_table
        self.engine = create_sync_engine(settings.database_url)
        self.topics = [settings.topic_prefix + t for t in consumes or []]
        self.relay = OutboxRelay(settings, engine=self.engine, outbox=tables.outbox)
        self.consumer = (
            EventConsumer(
                settings,
                engine=self.engine,
                inbox=tables.inbox,
                registry=registry,
                topics=self.topics,
            )
            if registry is not None and self.topics
            else None
        )
        names = [job.name for job in periodic]
        if len(set(names)) != len(names):
            raise ValueError(f"periodic job names must be unique: {names}")
        self.jobs = [RunningJob(job, engine=self.engine) for job in periodic]
        self.endpoint: WorkerEndpoint | None = None
        self._reader: OffsetReader | None = None
        self._relay_thread: threading.Thread | None = None

    def _offset_reader(self) -> OffsetReader:
        if self._reader is None:
            self._reader = OffsetReader(self.settings)
        return self._reader

    def _lag_recorder(self) -> LagRecorder | None:
        if self.consumer is None or self.lag_table is None:
            return None
        return LagRecorder(
            engine=self.engine,
            table=self.lag_table,
            consumer=self.consumer,
            reader=self._offset_reader(),
            topics=self.topics,
            interval_s=self.settings.consumer_lag_record_interval_s,
        )

    def _start_endpoint(self) -> None:
        if self.settings.worker_metrics_port is None:
            return
        registry = CollectorRegistry()
        registry.register(
            WorkerCollector(
                self.settings.service_name,
                engine=self.engine,
                relay=self.relay,
                consumer=self.consumer,
                reader=self._offset_reader(),
                consumed_topics=self.topics,
                jobs=self.jobs,
            )
        )
        self.endpoint = WorkerEndpoint(
            registry,
            healthy=self.health,
            host=self.settings.worker_metrics_host,
            port=self.settings.worker_metrics_port,
        )
        self.endpoint.start()

    def health(self) -> dict[str, bool]:
        """Liveness: false parts make `/healthz` answer 503 and the supervisor restart the
        process. A relay loop that ended while the process lives would leave the outbox
        unsent for good, a job thread that ended its job undone."""
        thread = self._relay_thread
        parts = {"relay": thread is not None and thread.is_alive()}
        if self.consumer is not None:
            parts["consumer"] = self.consumer.running
        for job in self.jobs:
            parts[f"job:{job.job.name}"] = job.alive
        return parts

    def run(self, stop: threading.Event) -> None:
        """Raises when the consumer gives up (TooManyFailures) or cannot start."""
        own = service_topics(self.settings.service_name, prefix=self.settings.topic_prefix)
        consumed_dlqs = [f"{t}.dlq" for t in self.topics]
        ensure_topics(
            self.settings,
            own + self.topics + consumed_dlqs,
            partitions=self.settings.kafka_topic_partitions,
            replication=self.settings.kafka_replication_factor,
        )
        self._relay_thread = threading.Thread(
            target=self.relay.run, args=(stop,), name="outbox-relay", daemon=True
        )
        self._relay_thread.start()
        for job in self.jobs:
            job.start(stop)
        self._start_endpoint()
        log.info("worker started", extra={"consumes": self.topics})
        try:
            if self.consumer is not None:
                recorder = self._lag_recorder()
                self.consumer.run(stop, after_poll=recorder.record if recorder else None)
            else:
                stop.wait()
        finally:
            stop.set()
            self._relay_thread.join(timeout=10)
            for job in self.jobs:
                job.join(timeout=10)
            if self.endpoint is not None:
                self.endpoint.stop()
            if self._reader is not None:
                self._reader.close()
            self.engine.dispose()


def run_worker(
    settings: ServiceSettings,
    *,
    tables: MessagingTables,
    registry: HandlerRegistry | None = None,
    consumes: list[str] | None = None,
    lag_table: Table | None = None,
    periodic: Sequence[PeriodicJob] = (),
) -> int:
    """Run until SIGINT/SIGTERM; returns the process exit code."""
    configure_logging(f"{settings.service_name}-worker", settings.log_level)
    configure_tracing(settings, process="worker")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    worker = Worker(
        settings,
        tables=tables,
        registry=registry,
        consumes=consumes,
        lag_table=lag_table,
        periodic=periodic,
    )
    try:
        worker.run(stop)
    except Exception:
        log.exception("worker failed")
        return 1
    return 0
