"""Fixtures for event tests: a database with a sample table plus outbox, inbox and\nconsumer lag."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine

from talent_contracts import EventPayload, event
from talent_devtools.postgres import create_database, drop_database
from talent_devtools.testing import isolated_database_name
from talent_platform.db import new_metadata, sync_url
from talent_platform.events import MessagingTables, Outbox, messaging_tables
from talent_platform.events.lag import consumer_lag_table
from talent_platform.settings import ServiceSettings


@event("talent.platformtest.widget.created.v1", key_field="widget_id")
class WidgetCreated(EventPayload):
    widget_id: str
    name: str


metadata: MetaData = new_metadata()
widgets = Table(
    "widget",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("seen", Integer, default=0),
)
tables: MessagingTables = messaging_tables(metadata)
lag_table = consumer_lag_table(metadata)
outbox = Outbox(tables.outbox, service="platformtest")


@pytest.fixture(scope="session")
def events_database(postgres_admin_url: str) -> Iterator[str]:
    name = isolated_database_name("platform_events")
    url = create_database(postgres_admin_url, name, drop_existing=True)
    engine = create_engine(sync_url(url))
    metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_database(postgres_admin_url, name)


@pytest.fixture
def engine(events_database: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(events_database))
    with engine.begin() as conn:
        conn.execute(tables.outbox.delete())
        conn.execute(tables.inbox.delete())
        conn.execute(widgets.delete())
        conn.execute(lag_table.delete())
    yield engine
    engine.dispose()


@pytest.fixture
def settings(events_database: str, kafka_bootstrap: str) -> ServiceSettings:
    """Settings whose topics are unique to the test (through the topic prefix)."""
    return ServiceSettings(
        service_name="platformtest",
        environment="test",
        database_url=events_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
        consumer_retry_backoff_s=0.01,
        outbox_poll_interval_s=0.2,
    )
