"""Database administration on any PostgreSQL server: URLs, CREATE and DROP DATABASE.

Used by the CLI (a scratch database for an evaluation, the dev stack's service databases)
and by tests; the embedded server itself is development-only (`talent_devtools.postgres`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool


def normalize_postgres_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs (libpq style) become `postgresql+psycopg://`."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def database_url(admin_url: str, name: str) -> str:
    """`admin_url` pointing at database `name` instead (same server, user and driver)."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def database_exists(admin_url: str, name: str) -> bool:
    with _admin_connection(admin_url) as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
    return found is not None


def create_database(admin_url: str, name: str, *, drop_existing: bool = False) -> str:
    """Create database `name` and return its URL; fails if it exists unless `drop_existing`."""
    with _admin_connection(admin_url) as connection:
        quoted = connection.dialect.identifier_preparer.quote_identifier(name)
        if drop_existing:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {quoted}"))
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` if it exists, terminating its connections (PostgreSQL 13+)."""
    with _admin_connection(admin_url) as connection:
        quoted = connection.dialect.identifier_preparer.quote_identifier(name)
        connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))


@contextmanager
def _admin_connection(admin_url: str) -> Iterator[Connection]:
    # CREATE/DROP DATABASE cannot run in a transaction block; any async driver in the URL
    # is swapped for psycopg, which SQLAlchemy drives synchronously.
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
