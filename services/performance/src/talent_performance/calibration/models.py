"""Calibration sessions: a group of employees, their facilitators and participants."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.db import Entity


class CalibrationSession(Entity, Base):
    __tablename__ = "calibration_session"

    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cycle.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Guidance only, never enforced: rating (as text, "1".."5") -> share of employees (0-1).
    target_distribution: Mapped[dict[str, float] | None] = mapped_column(JSONB, default=None)
    created_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class CalibrationMember(Base):
    """Someone in the room: a `facilitator` (may adjust) or a `participant` (may see)."""

    __tablename__ = "calibration_member"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calibration_session.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))


class CalibrationEntry(Base):
    """An employee calibrated in a session: the manager's rating and the calibrated one."""

    __tablename__ = "calibration_entry"
    __table_args__ = (
        CheckConstraint("rating_after IS NULL OR rating_after BETWEEN 1 AND 5", name="after"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calibration_session.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    rating_after: Mapped[int | None] = mapped_column(Integer, default=None)
    reason: Mapped[str | None] = mapped_column(String(2000), default=None)
