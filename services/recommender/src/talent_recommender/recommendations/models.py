"""Feedback on recommendations and the peer popularity of courses."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Integer, String, Text
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
