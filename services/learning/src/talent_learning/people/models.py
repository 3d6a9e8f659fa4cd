"""Learning's projection of the people service's employees, built from its events.

Only what learning needs: identity for CSV imports (`employee_number`), status for
validation and reporting lines (`manager_id`) for authorization. Never written by
anything but the people-event consumer (people/consumers.py).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base


class EmployeeProjection(Base):
    __tablename__ = "employee_projection"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    location: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    hire_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # The time of the people event this row reflects (its `ce_time`).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
