"""Calibrated overall ratings, consumed from the performance service's events: the
performance axis of the 9-box."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, DateTime, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_succession.db import Base


class CalibratedRating(Base):
    __tablename__ = "calibrated_rating"
    __table_args__ = (
        CheckConstraint("overall_rating BETWEEN 1 AND 5", name="overall_rating"),
        Index(
            "ix_calibrated_rating_employee_latest",
            "employee_id",
            text("rated_on DESC"),
            "overall_rating",
        ),
    )

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    cycle_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    overall_rating: Mapped[int]
    rated_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
