"""Who takes part in a review cycle, as far as the notifier has seen: the employees
reviewed in it, from performance's review and rating events. Only ids: never a rating.
What `cycle.released` is sent to (its payload names no one)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, func
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
