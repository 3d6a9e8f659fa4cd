"""Potential assessments and high-potential designations; rows are never overwritten,
so the history of each employee is the list of their rows."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_succession.db import Base


class PotentialAssessment(Entity, Base):
    __tablename__ = "potential_assessment"
    __table_args__ = (
        CheckConstraint("potential IN ('low', 'medium', 'high')", name="potential"),
        # The latest assessment per employee (9-box, staleness) is an index-only walk.
        Index(
            "ix_potential_assessment_employee_latest",
            "employee_id",
            text("assessed_on DESC"),
            text("created_at DESC"),
            postgresql_include=["potential", "review_by"],
        ),
        Index("ix_potential_assessment_review_by", "review_by"),
    )

    employee_id: Mapped[uuid.UUID]
    potential: Mapped[str] = mapped_column(String(10))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    review_by: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="manual")
    recorded_by: Mapped[str] = mapped_column(String(200))


class HighPotentialDesignation(Entity, Base):
    __tablename__ = "high_potential_designation"
    __table_args__ = (
        # At most one open designation per employee.
        Index(
            "uq_high_potential_designation_open",
            "employee_id",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
        Index("ix_high_potential_designation_employee_id", "employee_id"),
    )

    employee_id: Mapped[uuid.UUID]
    designated_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    review_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    designated_by: Mapped[str] = mapped_column(String(200))
    ended_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    end_reason: Mapped[str | None] = mapped_column(Text, default=None)
