"""The course catalog and the competencies each course teaches."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent_learning.db import Base
from talent_platform.db import Entity

MODALITIES = ("e-learning", "classroom", "virtual", "external", "blended")


class Course(Entity, Base):
    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("duration_hours >= 0", name="duration_hours"),
        CheckConstraint(
            "recertify_months IS NULL OR recertify_months > 0", name="recertify_months"
        ),
    )

    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_hours: Mapped[float]
    # One of MODALITIES (checked by the API and the CSV import).
    modality: Mapped[str] = mapped_column(String(50), index=True)
    mandatory: Mapped[bool] = mapped_column(default=False)
    recertify_months: Mapped[int | None] = mapped_column(default=None)
    # False once retired: kept for history, never assigned again.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    language: Mapped[str] = mapped_column(String(20), default="en", server_default="en")
    provider: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Bumped by every change made through `updateCourse` or an import.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    self_enrollment: Mapped[bool] = mapped_column(default=False, server_default=false())
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    skills: Mapped[list[CourseSkill]] = relationship(
        back_populates="course", lazy="raise", cascade="all, delete-orphan"
    )


class CourseSkill(Entity, Base):
    """A competency (a code of people's framework) a course teaches, up to a level 1-5."""

    __tablename__ = "course_skill"
    __table_args__ = (
        UniqueConstraint("course_id", "competency_code"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    )

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    competency_code: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[int]

    course: Mapped[Course] = relationship(back_populates="skills", lazy="raise")
