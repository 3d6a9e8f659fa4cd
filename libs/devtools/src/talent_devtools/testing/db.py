from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from talent_platform.graphql.session import SerialisedSession


class ServiceDatabaseFactory(Protocol):
    """Type of the `service_database` fixture: returns the URL of a migrated database."""

    def __call__(self, service: str, alembic_ini: Path) -> str: ...


@asynccontextmanager
async def rollback_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back at the end, whatever the test did.

    The code under test may commit: each commit only releases a savepoint of the outer
    transaction. A `SerialisedSession`, as the apps use, because a schema resolves sibling
    fields concurrently on one session.
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = SerialisedSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            if transaction.is_active:
                await transaction.rollback()


@contextmanager
def rollback_sync_session(engine: Engine) -> Iterator[Session]:
    """A sync session (what consumer handlers get) in a transaction rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


def isolated_database_name(kind: str) -> str:
    """`talent_test_<kind>_<checkout>_<xdist worker>`: the checkout part (a hash of this
    repository's path) keeps two clones testing against one server apart."""
    checkout = hashlib.sha1(str(Path(__file__).resolve().parents[4]).encode()).hexdigest()[:8]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"talent_test_{kind}_{checkout}_{worker}"
