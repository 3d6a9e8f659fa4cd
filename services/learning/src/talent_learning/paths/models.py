"""Learning paths: ordered courses, each step required or optional."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.db import Entity

PATH_KINDS = ("general", "career", "onboarding")


class LearningPath(Entity, Base):
    __tablename__ = "learning_path"
    __table_args__ = (
        CheckConstraint("kind IN ('general', 'career', 'onboarding')", name="kind"),
        CheckConstraint("target_days IS NULL OR target_days > 0", name="target_days"),
    )

    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    # Onboarding paths: which new hires get them (null matches any) and how many days
    # after the hire date they are due.
    job_profile_code: Mapped[str | None] = mapped_column(String(100), default=None)
    location: Mapped[str | None] = mapped_column(String(200), default=None)
    target_days: Mapped[int | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class LearningPathStep(Entity, Base):
    __tablename__ = "learning_path_step"
    __table_args__ = (
        UniqueConstraint("path_id", "position"),
        UniqueConstraint("path_id", "course_id"),
    )

    path_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("learning_path.id", ondelete="CASCADE"))
    position: Mapped[int]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"), index=True)
    required: Mapped[bool] = mapped_column(default=True)
