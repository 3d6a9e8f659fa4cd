"""Cohorts of leadership programmes: sessions with dates, participants, attendance, and
programme completion (a completion of the programme's course)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.db import Entity

PARTICIPANT_STATUSES = ("enrolled", "completed", "not_completed")


class Cohort(Entity, Base):
    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint("min_attendance_percent BETWEEN 0 AND 100", name="min_attendance"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    min_attendance_percent: Mapped[int] = mapped_column(default=80)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class CohortSession(Entity, Base):
    __tablename__ = "cohort_session"
    __table_args__ = (
        UniqueConstraint("cohort_id", "position"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    cohort_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CohortParticipant(Base):
    __tablename__ = "cohort_participant"
    __table_args__ = (
        CheckConstraint("status IN ('enrolled', 'completed', 'not_completed')", name="status"),
    )

    cohort_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="enrolled")
    completion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("completion.id"), default=None
    )


class SessionAttendance(Base):
    __tablename__ = "session_attendance"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cohort_session.id", ondelete="CASCADE"), primary_key=True
    )
    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    attended: Mapped[bool]
