"""Who takes part in a review cycle, as far as the notifier has seen: the employees
reviewed in it, from performance's review and rating events. Only ids: never a rating.
What `cycle.released` is sent to (its payload names no one)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base


class CycleParticipant(Base):
    __tablename__ = "cycle_participant"

    cycle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The employee reviewed in the cycle (not the reviewer)."""
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ReviewTask(Base):
    """A review someone must write, as performance's review events describe it
    (`review.assigned`, `review.submitted`, `review.cancelled`, `review.signed_off`): who
    reviews whom, in which cycle and phase, and where it stands. No rating, no text."""

    __tablename__ = "review_task"
    __table_args__ = (Index("ix_review_task_cycle", "cycle_id", "kind", "status"),)

    review_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    cycle_id: Mapped[uuid.UUID]
    cycle_code: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    """self, manager or peer."""
    employee_id: Mapped[uuid.UUID]
    """The employee reviewed."""
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    phase: Mapped[str] = mapped_column(String(30))
    """The phase the review is written in."""
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    """draft (the reviewer must write it), submitted, signed_off or cancelled."""
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class CycleState(Base):
    """A review cycle's current phase, from `cycle.launched` and `cycle.phase_changed`:
    what tells a review that arrives after its phase opened that it is due a notice."""

    __tablename__ = "review_cycle_state"

    cycle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    cycle_code: Mapped[str] = mapped_column(String(100))
    phase: Mapped[str] = mapped_column(String(30))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    """The current phase's deadline."""
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
