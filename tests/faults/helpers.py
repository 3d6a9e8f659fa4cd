from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from talent_platform.db import sync_url
from talent_platform.infra.postgres import LocalPostgres

from .conftest import applied

OUTAGE_S = 10.0


@contextmanager
def database_away(server: LocalPostgres) -> Iterator[None]:
    """The server stopped (fast shutdown: sessions are terminated) for the block, which
    must last the outage; started again on the same port however the block ends."""
    server.stop()
    try:
        yield
    finally:
        server.start()


def applied_counts(url: str) -> dict[str, int]:
    """How many times each widget was applied."""
    # Its own engine: the pooled connections of the consumer's die with the server.
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(applied.c.widget_id, func.count()).group_by(applied.c.widget_id)
            ).all()
    finally:
        engine.dispose()
    return {widget_id: count for widget_id, count in rows}
