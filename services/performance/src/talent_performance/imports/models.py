"""Historical ratings and assessments imported from CSV (before this system existed).

Stored so a re-import finds them and changes nothing; each new row published its event.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.db import Entity


class HistoricalRating(Entity, Base):
    __tablename__ = "historical_rating"
    __table_args__ = (UniqueConstraint("employee_id", "cycle_code"),)

    employee_id: Mapped[uuid.UUID]
    cycle_code: Mapped[str] = mapped_column(String(100))
    overall_rating: Mapped[int] = mapped_column(Integer)
    rated_on: Mapped[dt.date] = mapped_column(Date)


class HistoricalAssessment(Entity, Base):
    __tablename__ = "historical_assessment"
    __table_args__ = (UniqueConstraint("employee_id", "competency_code", "assessed_on", "source"),)

    employee_id: Mapped[uuid.UUID]
    competency_code: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
