"""Review cycles: population, rating scale, phases with deadlines."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ARRAY, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.db import Entity

KINDS = ("annual", "mid_year", "check_in_90")
PHASES = (
    "goal_setting",
    "self_review",
    "peer_feedback",
    "manager_review",
    "calibration",
    "sign_off",
    "release",
)
STATUSES = ("draft", "active", "closed")
DEFAULT_SCALE = (
    "Unsatisfactory",
    "Needs improvement",
    "Meets expectations",
    "Exceeds expectations",
    "Outstanding",
)
# The review kind each phase is about (whose completion "who is behind" reports).
PHASE_REVIEW_KIND = {
    "self_review": "self",
    "peer_feedback": "peer",
    "manager_review": "manager",
}


class ReviewCycle(Entity, Base):
    __tablename__ = "review_cycle"

    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    phase: Mapped[str | None] = mapped_column(String(30), default=None)
    # Population: empty lists mean "every org unit" / "every job profile".
    org_unit_codes: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list)
    job_profile_codes: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    hired_on_or_before: Mapped[dt.date | None] = mapped_column(Date, default=None)
    scale_labels: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    launched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    released_by: Mapped[str | None] = mapped_column(String(200), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_by: Mapped[str] = mapped_column(String(200))


class CyclePhaseDeadline(Base):
    __tablename__ = "cycle_phase"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("review_cycle.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
