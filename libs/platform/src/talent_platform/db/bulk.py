"""Bulk writes inside the session's own transaction: PostgreSQL COPY, and inserts or
upserts of many rows in one statement through `unnest`.

For imports of tens of thousands of rows COPY is several times faster than batched
INSERTs; it bypasses the ORM, so the session is flushed first. A consumer batch's
upserts (hundreds of rows, with ON CONFLICT) go through `unnest_insert`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import ARRAY, Table, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only


async def copy_rows(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append `rows` (dicts with the same keys) to `table` with COPY FROM STDIN."""
    if not rows:
        return
    await session.flush()
    columns = list(rows[0].keys())
    for name in columns:
        if name not in table.c:
            raise KeyError(f"{table.name} has no column {name!r}")
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    column_list = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({column_list}) FROM STDIN'
    async with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            await copy.write_row([row[c] for c in columns])


def copy_into(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """`copy_rows` for code written against a sync Session: a worker's, or async code's
    through `AsyncSession.run_sync`, where the driver connection underneath is psycopg's
    async one and the COPY is awaited on the greenlet `run_sync` runs in."""
    if not rows:
        return
    session.flush()
    columns = list(rows[0].keys())
    for name in columns:
        if name not in table.c:
            raise KeyError(f"{table.name} has no column {name!r}")
    column_list = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({column_list}) FROM STDIN'
    driver: Any = session.connection().connection.driver_connection
    if isinstance(driver, psycopg.AsyncConnection):
        await_only(_copy_async(driver, statement, rows, columns))
        return
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


async def _copy_async(
    driver: psycopg.AsyncConnection[Any],
    statement: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
) -> None:
    async with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            await copy.write_row([row[c] for c in columns])


def unnest_insert(table: Table | type[Any], columns: Sequence[str]) -> Insert:
    """`INSERT INTO table (columns) SELECT * FROM unnest(<one array per column>)`: any
    number of rows in one statement with one parameter per column (`unnest_params`), so
    it is compiled once and cached, unlike a multi-row VALUES whose size changes with the
    rows. Add `on_conflict_do_update` / `on_conflict_do_nothing` / `returning` as with any
    PostgreSQL insert."""
    target: Table = table if isinstance(table, Table) else table.__table__
    arrays = [bindparam(f"unnest_{name}", type_=ARRAY(target.c[name].type)) for name in columns]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived()
    return insert(target).from_select(list(columns), select(*(rows.c[name] for name in columns)))


def unnest_params(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> dict[str, list[Any]]:
    """The parameters of an `unnest_insert` of these rows."""
    return {f"unnest_{name}": [row[name] for row in rows] for name in columns}


@contextmanager
def index_scans(session: Session) -> Iterator[None]:
    """Steer the planner to index scans for the statements in the block (`enable_seqscan`
    off, back to its default after). For set-based maintenance keyed by a batch's ids on a
    table that grows faster than its statistics (a burst of events into a new table): the
    planner, believing the table tiny, otherwise scans all of it for every batch."""
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        yield
    finally:
        session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))
