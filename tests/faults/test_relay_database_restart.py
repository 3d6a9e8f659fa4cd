"""Fault: the relay's PostgreSQL stops (fast shutdown) for a few seconds and comes back.

Both of the relay's connections die: its LISTEN session (psycopg) and the pooled ones of
its engine (SQLAlchemy). The relay loop must start over rather than end its thread:
outbox rows written after the restart are published, and the relay leads again.
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from talent_devtools.postgres import LocalPostgres
from talent_devtools.testing import wait_for
from talent_devtools.testing.topics import read_topic
from talent_platform.db import sync_url
from talent_platform.events import OutboxRelay
from talent_platform.events.outbox import Outbox
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, WidgetCreated, tables
from .helpers import OUTAGE_S, database_away

outbox = Outbox(tables.outbox, service=SERVICE)


def write_events(url: str, count: int) -> list[str]:
    """`count` outbox rows in one transaction, through an engine of the writer's own."""
    engine = create_engine(sync_url(url), poolclass=NullPool)
    ids = [f"w-{uuid.uuid4().hex[:8]}" for _ in range(count)]
    try:
        with Session(engine) as session, session.begin():
            for widget_id in ids:
                outbox.add(session, WidgetCreated(widget_id=widget_id))
    finally:
        engine.dispose()
    return ids


def unsent_rows(url: str) -> int:
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(tables.outbox)
                    .where(tables.outbox.c.sent_at.is_(None))
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_the_relay_publishes_rows_written_after_a_database_restart(
    private_postgres: LocalPostgres, engine: Engine, settings: ServiceSettings
) -> None:
    url = settings.database_url
    relay = OutboxRelay(settings, engine=engine, outbox=tables.outbox)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        before = write_events(url, 3)
        assert wait_for(lambda: relay.published >= 3, timeout=60)
        with database_away(private_postgres):
            time.sleep(OUTAGE_S / 2)
        after = write_events(url, 3)
        assert wait_for(lambda: unsent_rows(url) == 0, timeout=90)
        assert thread.is_alive()
        assert wait_for(lambda: relay.leading, timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)

    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    records = read_topic(settings.kafka_bootstrap_servers, topic, until=lambda r: len(r) >= 6)
    assert {r.key.decode() for r in records} == set(before + after)
