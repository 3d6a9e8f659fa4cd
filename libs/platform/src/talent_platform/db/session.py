"""Engines and the transaction boundary.

Request handling is async (psycopg 3 async); the relay and consumer loops are sync and
own their sessions. In both, the caller that opened the session commits: services and
repositories never commit, which is what keeps an outbox row atomic with its change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _normalise(url: str) -> str:
    for prefix in (
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def async_url(url: str) -> str:
    return _normalise(url)


def sync_url(url: str) -> str:
    return _normalise(url)


def libpq_url(url: str) -> str:
    """The URL in the form psycopg.connect() takes."""
    return "postgresql://" + _normalise(url)[len("postgresql+psycopg://") :]


def create_sync_engine(url: str, *, pool_size: int = 5) -> Engine:
    return create_engine(sync_url(url), pool_size=pool_size, pool_pre_ping=True)


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits when the block ends and rolls back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_async_database(
    url: str, *, pool_size: int = 10, session_class: type[AsyncSession] = AsyncSession
) -> Database:
    engine = create_async_engine(async_url(url), pool_size=pool_size, pool_pre_ping=True)
    return Database(
        engine, async_sessionmaker(engine, expire_on_commit=False, class_=session_class)
    )
