from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from kafka.producer.future import RecordMetadata
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from talent_contracts import EventPayload
from talent_devtools.postgres import LocalPostgres
from talent_platform.db import sync_url
from talent_platform.events.envelope import Envelope, encode
from talent_platform.observability.metrics import sample_values
from talent_platform.worker import Worker

from .conftest import SERVICE, applied

OUTAGE_S = 10.0
SCRAPE_TIMEOUT_S = 10
BATCH_WORKER = Path(__file__).with_name("batch_worker.py")


@dataclass
class RunningWorker:
    worker: Worker
    stop: threading.Event
    thread: threading.Thread

    def metrics(self) -> str:
        assert self.worker.endpoint is not None
        url = f"http://127.0.0.1:{self.worker.endpoint.port}/metrics"
        with urllib.request.urlopen(url, timeout=SCRAPE_TIMEOUT_S) as response:
            assert response.status == 200
            return str(response.read().decode())

    def total(self, name: str) -> float | None:
        values = [value for _, value in sample_values(self.metrics(), name)]
        return sum(values) if values else None


@contextmanager
def database_away(server: LocalPostgres) -> Iterator[None]:
    """The server stopped (fast shutdown: sessions are terminated) for the block, which
    must last the outage; started again on the same port however the block ends."""
    server.stop()
    try:
        yield
    finally:
        server.start()


def applied_counts(url: str) -> dict[str, int]:
    """How many times each widget was applied."""
    # Its own engine: the pooled connections of the consumer's die with the server.
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(applied.c.widget_id, func.count()).group_by(applied.c.widget_id)
            ).all()
    finally:
        engine.dispose()
    return {widget_id: count for widget_id, count in rows}


def publish(
    bootstrap: str,
    topic: str,
    payloads: Iterable[EventPayload],
    *,
    partition: int | None = None,
) -> list[RecordMetadata]:
    """Publish events (keyed by their key field, or all to `partition`); returns where
    each one landed, in order."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    try:
        futures = []
        for payload in payloads:
            record = encode(Envelope.for_payload(payload, service=SERVICE))
            futures.append(
                producer.send(
                    topic,
                    key=record.key,
                    value=record.value,
                    headers=record.headers,
                    partition=partition,
                )
            )
        return [future.get(timeout=30) for future in futures]
    finally:
        producer.close()


@contextmanager
def batch_worker(config: dict[str, Any], directory: Path) -> Iterator[subprocess.Popen[str]]:
    """A `batch_worker.py` process with this configuration; SIGKILLed on the way out if
    still alive."""
    path = directory / f"worker-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [sys.executable, str(BATCH_WORKER), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
