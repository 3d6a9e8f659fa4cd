"""Course completions: who completed what, when, with what score."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.db import Entity

SOURCES = ("manual", "import", "xapi", "cohort")


class Completion(Entity, Base):
    __tablename__ = "completion"
    __table_args__ = (
        # One completion per employee, course and day: re-imports insert nothing twice.
        UniqueConstraint("employee_id", "course_id", "completed_on"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score"),
        Index("ix_completion_employee_id_completed_on", "employee_id", "completed_on"),
        # Evidence for one course: its completions by employee, newest per employee.
        Index(
            "ix_completion_course_id_employee_id_completed_on",
            "course_id",
            "employee_id",
            "completed_on",
        ),
    )

    # No foreign key: employees live in the people service (see people/models.py for
    # learning's own projection of them).
    employee_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(50))
    recorded_by: Mapped[str | None] = mapped_column(String(200), default=None)
