"""Development plans and their actions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_succession.db import Base

ACTION_KINDS = ("course", "assignment", "mentoring", "stretch_project")
ACTION_STATUSES = ("open", "completed", "cancelled")


class DevelopmentPlan(Entity, Base):
    __tablename__ = "development_plan"
    __table_args__ = (Index("ix_development_plan_review_by", "review_by"),)

    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300))
    review_by: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))


class PlanAction(Entity, Base):
    __tablename__ = "plan_action"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('course', 'assignment', 'mentoring', 'stretch_project')", name="kind"
        ),
        CheckConstraint("status IN ('open', 'completed', 'cancelled')", name="status"),
        CheckConstraint("kind <> 'course' OR course_code IS NOT NULL", name="course_code"),
        # learning's completions are matched to open course actions by employee and course.
        Index(
            "ix_plan_action_open_course",
            "employee_id",
            "course_code",
            postgresql_where=text("status = 'open' AND kind = 'course'"),
        ),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("development_plan.id"), index=True)
    # The plan's employee, repeated so completions match actions without a join.
    employee_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    course_code: Mapped[str | None] = mapped_column(String(100), default=None)
    target_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
