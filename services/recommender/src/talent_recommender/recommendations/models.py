"""Feedback on recommendations and the peer popularity of courses."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, DateTime, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_recommender.db import Base


class Dismissal(Entity, Base):
    """A course recommendation someone dismissed for an employee; never recommended to
    them again, and courses teaching the same competencies rank lower."""

    __tablename__ = "dismissal"

    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_code: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    dismissed_by: Mapped[str] = mapped_column(String(200))


class CoursePopularity(Base):
    """How many employees currently in a job profile completed a course ("peers on the
    same path"). Counted on each completion, rebuilt exactly by every refit."""

    __tablename__ = "course_popularity"

    job_profile_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    course_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    completions: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class IssuedRecommendation(Base):
    """A recommendation as first and last served. The id is deterministic (see
    recommendations/issuing.py), so serving the same course again updates this row."""

    __tablename__ = "issued_recommendation"
    __table_args__ = (
        CheckConstraint("kind IN ('course', 'successor')", name="kind"),
        Index(
            "ix_issued_recommendation_employee_id_last_issued_at", "employee_id", "last_issued_at"
        ),
    )

    recommendation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    employee_id: Mapped[uuid.UUID] = mapped_column()
    course_code: Mapped[str | None] = mapped_column(String(100), default=None)
    key_role_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    score: Mapped[float] = mapped_column(Double)
    model_version: Mapped[int | None] = mapped_column(Integer, default=None)
    first_issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # How it was accepted: "enrollment" (learning assigned the course with this id).
    accepted_via: Mapped[str | None] = mapped_column(String(20), default=None)
