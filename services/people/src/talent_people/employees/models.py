"""Employees, org units, reporting lines and job history."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_people.db import Base
from talent_platform.db import Entity

STATUSES = ("active", "terminated")


class OrgUnit(Entity, Base):
    __tablename__ = "org_unit"

    code: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), default=None)


class Employee(Entity, Base):
    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'terminated')", name="status"),
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
        # The directory's default order (name, id); substring search scans.
        Index("ix_employee_name_id", "name", "id"),
    )

    employee_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    hire_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    terminated_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    location: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    job_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job_profile.id"), default=None, index=True
    )
    org_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("org_unit.id"), default=None, index=True
    )
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id"), default=None, index=True
    )


class JobHistory(Entity, Base):
    """A period in a job profile; the current one has no end date."""

    __tablename__ = "job_history"
    __table_args__ = (
        UniqueConstraint("employee_id", "job_profile_id", "start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
    )

    employee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("employee.id"), index=True)
    job_profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_profile.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
