"""Each employee's current 9-box inputs: the latest calibrated rating and the latest
potential assessment, kept up to date on every write of either, so today's grids are a
plain GROUP BY over one narrow row per employee (grids of past days use the history)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_succession.db import Base


class CurrentPlacement(Base):
    __tablename__ = "current_placement"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    overall_rating: Mapped[int | None] = mapped_column(default=None)
    rated_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    potential: Mapped[str | None] = mapped_column(String(10), default=None)
    potential_assessed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
