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


EMPLOYEE_COLUMNS = (
    "employee_id",
    "name",
    "status",
    "manager_id",
    "org_unit_code",
    "job_profile_code",
    "hire_date",
    "in_role_since",
    "updated_at",
)
KEY_ROLE_COLUMNS = (
    "key_role_id",
    "code",
    "title",
    "job_profile_code",
    "incumbent_id",
    "org_unit_code",
    "criticality",
    "updated_at",
)
COMPLETION_COLUMNS = ("completion_id", "employee_id", "course_code", "completed_on", "score")
ASSESSMENT_COLUMNS = (
    "assessment_id",
    "employee_id",
    "competency_code",
    "level",
    "source",
    "assessed_on",
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
