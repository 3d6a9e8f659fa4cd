"""Bulk loading of evidence straight into the recommender's tables with COPY (the demo
organisation for `evaluate --demo`, generated data for the benchmark). Bypasses the
consumers: a refit afterwards rebuilds estimates and popularity from it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

TABLES = (
    "competency",
    "job_profile",
    "job_requirement",
    "employee",
    "job_history",
    "course",
    "course_skill",
    "completion",
    "assessment",
    "rating",
    "skill_estimate",
    "course_popularity",
    "dismissal",
    "skill_model",
)


def copy_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY rows into `table` inside the session's transaction; returns how many."""
    raw = session.connection().connection.driver_connection
    if raw is None:
        raise RuntimeError("no database connection")
    count = 0
    column_list = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def clear(session: Session) -> None:
    session.execute(text(f"TRUNCATE {', '.join(TABLES)}"))
