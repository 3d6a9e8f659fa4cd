"""Outbox-to-consumer latency: `python -m bench.outbox_latency [N]` (default 500).

A writer commits N state changes, each with its outbox row, one transaction at a time
with a short pause; the relay (woken by LISTEN/NOTIFY, in its own process as in a
service's worker) publishes them to a real Tansu broker, and a consumer group member (in
this process, as in another service's worker) applies each through the inbox.
Latency = when the consumer's handler ran - when the writer built the event (just
before its commit).
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, func, select
from sqlalchemy.orm import Session

from bench.common import percentile, postgres_admin_url
from talent_contracts import EventPayload, event
from talent_devtools.broker import TansuBroker
from talent_devtools.postgres import create_database, drop_database
from talent_platform.db import new_metadata, sync_url
from talent_platform.events import (
    EventConsumer,
    HandlerRegistry,
    Outbox,
    OutboxRelay,
    messaging_tables,
)
from talent_platform.events.envelope import Envelope
from talent_platform.events.kafka import ensure_topics
from talent_platform.settings import ServiceSettings


@event("talent.benchlatency.tick.happened.v1", key_field="tick_id")
class TickHappened(EventPayload):
    tick_id: str
    committed_at: float


metadata: MetaData = new_metadata()
received = Table(
    "received",
    metadata,
    Column("tick_id", String(64), primary_key=True),
    Column("latency_ms", Float),
)
tables = messaging_tables(metadata)
outbox = Outbox(tables.outbox, service="benchlatency")


def main(n: int) -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="talent-bench-"))
    with postgres_admin_url() as admin, TansuBroker(log_path=log_dir / "tansu.log") as broker:
        url = create_database(admin, "talent_bench_latency", drop_existing=True)
        engine = create_engine(sync_url(url), pool_size=10)
        metadata.create_all(engine)
        settings = ServiceSettings(
            service_name="benchlatency",
            environment="test",
            database_url=url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            outbox_poll_interval_s=1.0,
        )
        ensure_topics(settings, ["talent.benchlatency.v1", "talent.benchlatency.v1.dlq"])
        registry = HandlerRegistry()

        @registry.on(TickHappened)
        def record(session: Session, payload: EventPayload, envelope: Envelope) -> None:
            assert isinstance(payload, TickHappened)
            latency = (time.time() - payload.committed_at) * 1000
            session.execute(received.insert().values(tick_id=payload.tick_id, latency_ms=latency))

        stop = threading.Event()
        relay_stop = multiprocessing.Event()
        relay = multiprocessing.Process(target=run_relay, args=(settings, relay_stop), daemon=True)
        relay.start()
        consumer = EventConsumer(
            settings,
            engine=engine,
            inbox=tables.inbox,
            registry=registry,
            topics=["talent.benchlatency.v1"],
            group_id=f"bench-{uuid.uuid4().hex[:6]}",
        )
        threads = [threading.Thread(target=consumer.run, args=(stop,), daemon=True)]
        for t in threads:
            t.start()
        # Warm up: the consumer must have joined its group before measuring.
        with Session(engine) as s, s.begin():
            outbox.add(s, TickHappened(tick_id="warmup", committed_at=time.time()))
        while not _count(engine):
            time.sleep(0.05)

        started = time.perf_counter()
        for i in range(n):
            with Session(engine) as s, s.begin():
                outbox.add(s, TickHappened(tick_id=f"t{i}", committed_at=time.time()))
            time.sleep(0.01)
        deadline = time.monotonic() + 60
        while _count(engine) < n + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        stop.set()
        relay_stop.set()
        for t in threads:
            t.join(timeout=10)
        relay.join(timeout=10)
        with engine.connect() as conn:
            latencies = sorted(
                conn.execute(
                    select(received.c.latency_ms).where(received.c.tick_id != "warmup")
                ).scalars()
            )
            lag = func.extract("epoch", tables.outbox.c.sent_at - tables.outbox.c.created_at) * 1000
            relay_ms = sorted(float(v) for v in conn.execute(select(lag)).scalars())
        engine.dispose()
        drop_database(admin, "talent_bench_latency")
    shutil.rmtree(log_dir, ignore_errors=True)
    print(
        f"outbox -> relay -> Tansu -> consumer: {len(latencies)}/{n} events, "
        f"one per transaction, in {elapsed:.1f} s"
    )
    print(
        f"  latency p50 {percentile(latencies, 50):6.1f} ms   "
        f"p95 {percentile(latencies, 95):6.1f} ms   "
        f"p99 {percentile(latencies, 99):6.1f} ms   max {latencies[-1]:6.1f} ms"
    )
    print(
        f"  of which the relay (transaction start -> broker acknowledged): "
        f"p50 {percentile(relay_ms, 50):.1f} ms   p95 {percentile(relay_ms, 95):.1f} ms"
    )


def run_relay(settings: ServiceSettings, stop: Any) -> None:
    engine = create_engine(sync_url(settings.database_url))
    relay_stop = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), relay_stop.set()), daemon=True).start()
    OutboxRelay(settings, engine=engine, outbox=tables.outbox).run(relay_stop)
    engine.dispose()


def _count(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(select(func.count()).select_from(received)).scalar_one())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
