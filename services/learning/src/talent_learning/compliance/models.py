"""Compliance rules: a population that must hold a course, within N days of hire."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.db import Entity


class ComplianceRule(Entity, Base):
    """Everyone matching the population (null fields match anyone) completes the course
    within `within_days` of hire (or of the rule's start for people hired before it), and
    again before each certification expires (the course's `recertify_months`)."""

    __tablename__ = "compliance_rule"
    __table_args__ = (CheckConstraint("within_days > 0", name="within_days"),)

    code: Mapped[str] = mapped_column(String(100), unique=True)
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None)
    location: Mapped[str | None] = mapped_column(String(200), default=None)
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None)
    hired_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    hired_to: Mapped[dt.date | None] = mapped_column(Date, default=None)
    within_days: Mapped[int]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
