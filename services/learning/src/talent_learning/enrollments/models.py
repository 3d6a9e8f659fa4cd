"""Assignments and enrollments (one table: an enrollment is an assignment the employee
made themself), and the history of their due dates."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.db import Entity

STATUSES = ("assigned", "in_progress", "completed", "failed", "overdue", "waived", "cancelled")
# An employee has at most one open enrollment per course.
OPEN_STATUSES = ("assigned", "in_progress", "overdue")
REASONS = ("manager", "compliance", "onboarding", "recommendation", "development_plan", "self")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Enrollment(Entity, Base):
    __tablename__ = "enrollment"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("reason", REASONS), name="reason"),
        Index(
            "uq_enrollment_open",
            "employee_id",
            "course_id",
            unique=True,
            postgresql_where=text(_in("status", OPEN_STATUSES)),
        ),
        # Covering (INCLUDE due_on) so reports aggregate from the index alone.
        Index(
            "ix_enrollment_employee_id_status",
            "employee_id",
            "status",
            postgresql_include=["due_on"],
        ),
        Index(
            "ix_enrollment_course_id_status", "course_id", "status", postgresql_include=["due_on"]
        ),
        Index("ix_enrollment_status_due_on", "status", "due_on"),
    )

    employee_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"))
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    reason: Mapped[str] = mapped_column(String(30))
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    assigned_by: Mapped[str | None] = mapped_column(String(200), default=None)
    recommendation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    plan_action_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    path_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("learning_path.id"), default=None, index=True
    )
    rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("compliance_rule.id"), default=None, index=True
    )
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    completion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("completion.id"), default=None
    )
    score: Mapped[float | None] = mapped_column(default=None)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)


class DueDateChange(Entity, Base):
    """Every extension of an enrollment's due date, oldest first."""

    __tablename__ = "due_date_change"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    previous_due_on: Mapped[dt.date | None] = mapped_column(Date)
    new_due_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))


class Reminder(Base):
    """Reminders already published, so the sweep publishes each one once:
    (`due_soon`, enrollment id) and (`certification_expiring`, completion id)."""

    __tablename__ = "reminder"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
