from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


class ServiceDatabaseFactory(Protocol):
    """Type of the `service_database` fixture: returns the URL of a migrated database."""

    def __call__(self, service: str, alembic_ini: Path) -> str: ...


@asynccontextmanager
async def rollback_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back at the end, whatever the test did.

    The code under test may commit: each commit only releases a savepoint of the outer
    transaction.
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            if transaction.is_active:
                await transaction.rollback()


def isolated_database_name(kind: str) -> str:
    """`talent_test_<kind>_<checkout>_<xdist worker>`: the checkout part (a hash of this
    repository's path) keeps two clones testing against one server apart."""
    checkout = hashlib.sha1(str(Path(__file__).resolve().parents[4]).encode()).hexdigest()[:8]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"talent_test_{kind}_{checkout}_{worker}"
