"""Goals (individual, team, org) aligned in a tree, and check-in notes."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.db import Entity

SCOPES = ("individual", "team", "org")
GOAL_STATUSES = ("not_started", "on_track", "at_risk", "off_track", "completed", "cancelled")


class Goal(Entity, Base):
    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint("weight BETWEEN 0 AND 100", name="weight"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_goal_owner_id_cycle_id", "owner_id", "cycle_id"),
    )

    scope: Mapped[str] = mapped_column(String(20))
    # The employee an individual goal belongs to, the manager of a team goal; none for org.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    cycle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review_cycle.id"), default=None)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("goal.id"), default=None, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))


class CheckIn(Entity, Base):
    """A note between an employee and their manager, on a goal or on its own."""

    __tablename__ = "check_in"
    __table_args__ = (Index("ix_check_in_employee_id_created_at", "employee_id", "created_at"),)

    employee_id: Mapped[uuid.UUID]
    goal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("goal.id"), default=None, index=True
    )
    author_id: Mapped[uuid.UUID]
    note: Mapped[str] = mapped_column(Text)
