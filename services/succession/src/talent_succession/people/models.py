"""Succession's projection of the people service's employees, built from its events.

What succession needs: status (no terminated successor; high-potential retention),
reporting lines and org units (9-box grids), job profiles (incumbency follows
transfers). Never written by anything but the people-event consumer.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_succession.db import Base


class EmployeeProjection(Base):
    __tablename__ = "employee_projection"

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None)
    hire_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # The time of the people event this row reflects (its `ce_time`).
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
