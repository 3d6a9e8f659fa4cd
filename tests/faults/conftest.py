"""Fixtures for fault injection: a PostgreSQL server of the test's own (which the test may
stop and start; never the machine's), a database on it with outbox, inbox and the table
the handlers write, and settings whose topics are unique to the test."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Identity, Integer, MetaData, String, Table, create_engine
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, event
from talent_devtools.postgres import LocalPostgres, create_database
from talent_platform.db import new_metadata, sync_url
from talent_platform.events import Envelope, HandlerRegistry, MessagingTables, messaging_tables
from talent_platform.settings import ServiceSettings

SERVICE = "faulttest"


@event("talent.faulttest.widget.created.v1", key_field="widget_id")
class WidgetCreated(EventPayload):
    widget_id: str


@event("talent.faulttest.widget.stepped.v1", key_field="widget_id")
class WidgetStepped(EventPayload):
    """Step `step` of a widget: keyed by the widget, so its steps share a partition."""

    widget_id: str
    step: int


metadata: MetaData = new_metadata()
applied = Table(
    "applied_widget",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("widget_id", String(64), nullable=False),
)
# Which worker applied which step, `id` in the order of application. No unique key on
# (widget_id, step) on purpose: an event applied twice shows as a second row instead of
# failing its batch.
applied_step = Table(
    "applied_widget_step",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("widget_id", String(64), nullable=False),
    Column("step", Integer, nullable=False),
    Column("worker", String(32), nullable=False),
)
tables: MessagingTables = messaging_tables(metadata)
registry = HandlerRegistry()


@registry.on(WidgetCreated)
def apply_widget(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    assert isinstance(payload, WidgetCreated)
    session.execute(applied.insert().values(widget_id=payload.widget_id))


@pytest.fixture
def private_postgres() -> Iterator[LocalPostgres]:
    # Not tmp_path: as root the server runs as nobody, who cannot enter pytest's 0700 base.
    directory = Path(tempfile.mkdtemp(prefix="talent-faults-postgres-"))
    directory.chmod(0o755)
    server = LocalPostgres(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def database_url(private_postgres: LocalPostgres) -> str:
    url = create_database(private_postgres.url, "faults")
    engine = create_engine(sync_url(url))
    metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The engine under test: pooled, so its connections die with the server."""
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=SERVICE,
        environment="test",
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"f{uuid.uuid4().hex[:8]}.",
        kafka_topic_partitions=1,
        consumer_retry_backoff_s=0.01,
        consumer_database_backoff_max_s=1.0,
        outbox_poll_interval_s=0.2,
    )
