"""Which overdue reviews and uncovered key roles have been announced, so the sweep
publishes each flag once."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import utcnow
from talent_succession.db import Base


class StaleFlag(Base):
    __tablename__ = "stale_flag"
    __table_args__ = (UniqueConstraint("record_kind", "record_id", "due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # potential, readiness, plan, or key_role (no ready-now successor).
    record_kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID]
    # The review-by date that passed; for key_role the day it was found uncovered.
    due_on: Mapped[dt.date] = mapped_column(Date)
    flagged_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a key role is covered again, so a later gap is flagged anew.
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
