"""Performance's projection of the people service's data, built from its events.

Employees (reporting lines for authorization; org unit, job profile, hire date and
status for cycle populations), job profiles with their required competencies (the
competencies a review rates) and the competency framework's names. Never written by
anything but the people-event consumer (people/consumers.py) and the benchmark's COPY.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.employees import EmployeeColumns


class EmployeeProjection(EmployeeColumns, Base):
    __tablename__ = "employee_projection"

    # Cycle populations are selected by hire date: every projected employee has one.
    hire_date: Mapped[dt.date] = mapped_column(Date)


class JobProfileProjection(Base):
    __tablename__ = "job_profile_projection"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    family: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JobProfileRequirement(Base):
    """A competency a job profile requires: what reviews of its holders rate."""

    __tablename__ = "job_profile_requirement"

    job_profile_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    competency_code: Mapped[str] = mapped_column(String(200), primary_key=True)
    required_level: Mapped[int] = mapped_column(Integer)
    importance: Mapped[int] = mapped_column(Integer)


class CompetencyProjection(Base):
    __tablename__ = "competency_projection"

    code: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    tier: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
