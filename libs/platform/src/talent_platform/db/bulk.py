"""Bulk writes with PostgreSQL COPY, inside the session's own transaction.

For imports of tens of thousands of rows COPY is several times faster than batched
INSERTs; it bypasses the ORM, so the session is flushed first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession


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
