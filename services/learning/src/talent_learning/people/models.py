"""Learning's projection of the people service's employees, built from its events.

Only what learning needs: identity for CSV imports (`employee_number`), status for
validation and reporting lines (`manager_id`) for authorization. Never written by
anything but the people-event consumer (people/consumers.py).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.employees import EmployeeColumns


class EmployeeProjection(EmployeeColumns, Base):
    __tablename__ = "employee_projection"
    # Compliance populations may be defined by location.
    __table_args__ = (Index("ix_employee_projection_location", "location"),)


class EmployeeHistory(Base):
    """What learning knew of an employee over time: one row per state, valid from
    `valid_from` (inclusive) to `valid_to` (exclusive; None while current).

    Built by the people-event consumer alone, for reports "as of a date" (who was in a
    population on that day). Keyed by (employee, valid_from), so a redelivered or
    replayed event rewrites its own row and `valid_to` is recomputed from the next row,
    whatever order the events arrive in. `recorded_at` is the time of the people event
    the row reflects; of two events effective on the same day the later one wins.
    """

    __tablename__ = "employee_history"
    __table_args__ = (
        # As-of reports: the rows of the active population valid on a day, narrowed by
        # the population's attribute when it names one.
        Index(
            "ix_employee_history_active_valid",
            "valid_from",
            postgresql_include=["valid_to", "employee_id", "hire_date"],
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "ix_employee_history_org_unit_valid",
            "org_unit_code",
            "valid_from",
            postgresql_include=["valid_to", "employee_id", "hire_date"],
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "ix_employee_history_location_valid",
            "location",
            "valid_from",
            postgresql_include=["valid_to", "employee_id", "hire_date"],
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "ix_employee_history_job_profile_valid",
            "job_profile_code",
            "valid_from",
            postgresql_include=["valid_to", "employee_id", "hire_date"],
            postgresql_where=text("status = 'active'"),
        ),
    )

    employee_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None)
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None)
    location: Mapped[str | None] = mapped_column(String(200), default=None)
    hire_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
