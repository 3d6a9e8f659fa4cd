"""The `talent` pytest plugin's fixtures, against whichever server the session uses.

Run once with TALENT_TEST_DATABASE_URL set (the machine's server) and once without it
(a private embedded server).
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from talent_devtools.broker import TANSU_FAST_CONSUMER
from talent_devtools.postgres import database_exists, normalize_postgres_url
from talent_devtools.testing import ServiceDatabaseFactory, isolated_database_name, rollback_session

SAMPLE_ALEMBIC_INI = Path(__file__).parent / "alembic_sample" / "alembic.ini"
SAMPLE_DATABASE = isolated_database_name("sample")


def test_postgres_admin_url_follows_the_environment(postgres_admin_url: str) -> None:
    configured = os.environ.get("TALENT_TEST_DATABASE_URL")
    if configured:
        assert postgres_admin_url == normalize_postgres_url(configured)
    else:
        assert postgres_admin_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    engine = create_engine(postgres_admin_url, poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT current_database()")).scalar() == "postgres"
    engine.dispose()


def test_service_database_is_migrated_once_per_session(
    service_database: ServiceDatabaseFactory, postgres_admin_url: str
) -> None:
    url = service_database("sample", SAMPLE_ALEMBIC_INI)

    assert url.endswith(f"/{SAMPLE_DATABASE}")
    assert database_exists(postgres_admin_url, SAMPLE_DATABASE)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0001"
        )
        connection.execute(text("INSERT INTO widget (name) VALUES ('survives')"))
    try:
        assert service_database("sample", SAMPLE_ALEMBIC_INI) == url
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM widget")).scalar() == "survives"
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM widget"))
        engine.dispose()


def test_migrations_leave_existing_loggers_enabled(
    service_database: ServiceDatabaseFactory, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("talent_platform.tests.infra.sample")

    service_database("sample_logging", SAMPLE_ALEMBIC_INI)
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("still heard")

    assert not logger.disabled
    assert "still heard" in caplog.messages


async def test_rollback_session_discards_committed_work(
    service_database: ServiceDatabaseFactory,
) -> None:
    engine = create_async_engine(service_database("sample", SAMPLE_ALEMBIC_INI))
    count_widgets = text("SELECT count(*) FROM widget")
    try:
        async with rollback_session(engine) as session:
            await session.execute(text("INSERT INTO widget (name) VALUES ('temporary')"))
            await session.commit()  # what service code under test may do
            assert (await session.execute(count_widgets)).scalar_one() == 1
            current_database = select(func.current_database())
            assert (await session.execute(current_database)).scalar_one() == SAMPLE_DATABASE

        async with engine.connect() as connection:
            assert (await connection.execute(count_widgets)).scalar_one() == 0
    finally:
        await engine.dispose()


def test_unique_topic_exists_and_carries_messages(
    request: pytest.FixtureRequest, unique_topic: str, kafka_bootstrap: str
) -> None:
    assert re.fullmatch(
        r"test\.test_unique_topic_exists_and_carries_messages\.[0-9a-f]{8}", unique_topic
    )
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert unique_topic in admin.list_topics()
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    producer.send(unique_topic, value=b"hello").get(timeout=10)
    producer.close()
    consumer = KafkaConsumer(
        unique_topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        **TANSU_FAST_CONSUMER,
    )
    received: list[bytes] = []
    deadline = time.monotonic() + 20
    while not received and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            received.extend(record.value for record in records)
    consumer.close()
    assert received == [b"hello"]


@pytest.mark.parametrize("case", ["a/b", "c d"])
def test_unique_topic_names_are_valid_kafka_names(unique_topic: str, case: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9._-]+", unique_topic)
    assert len(unique_topic) <= 249
