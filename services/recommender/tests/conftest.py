"""Fixtures: the recommender database (built by `alembic upgrade head` through the `talent`
pytest plugin), a rolled-back session per test, and a sync engine for the consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from talent_platform.db import async_url, sync_url
from talent_platform.testing import ServiceDatabaseFactory, rollback_session

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def recommender_database(service_database: ServiceDatabaseFactory) -> str:
    return service_database("recommender", ALEMBIC_INI)


@pytest.fixture(scope="session")
async def engine(recommender_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(async_url(recommender_database), poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with rollback_session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def sync_engine(recommender_database: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(recommender_database), poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def sync_session(sync_engine: Engine) -> Iterator[Session]:
    """A sync session (what consumer handlers get) in a transaction rolled back at the end."""
    with sync_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()
