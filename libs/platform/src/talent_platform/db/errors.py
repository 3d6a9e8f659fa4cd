"""Telling a database that is away from a statement that is wrong.

Workers retry the first kind without limit (the database comes back; the record is
fine) and count only the second towards dead letters (ADR 2).
"""

from __future__ import annotations

import psycopg
from sqlalchemy import exc as sa_exc

_DATABASE_AWAY: tuple[type[BaseException], ...] = (
    # psycopg's OperationalError covers lost or refused connections, admin shutdown,
    # serialization failures, deadlocks, statement and lock timeouts, exhausted resources.
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # no pooled connection became free in time
    ConnectionError,
    TimeoutError,
)


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says the database could not be
    reached or could not run the work right now, rather than that the work is wrong."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _DATABASE_AWAY):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False
