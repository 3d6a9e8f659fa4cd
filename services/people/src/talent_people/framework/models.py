"""The competency framework and job profiles with their required competencies."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talent_people.db import Base
from talent_platform.db import Entity

TIERS = ("core", "functional", "leadership")


class Competency(Entity, Base):
    __tablename__ = "competency"
    __table_args__ = (CheckConstraint("tier IN ('core', 'functional', 'leadership')", name="tier"),)

    code: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    tier: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")


class JobProfile(Entity, Base):
    __tablename__ = "job_profile"

    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    family: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[int]

    requirements: Mapped[list[JobProfileRequirement]] = relationship(
        back_populates="job_profile", lazy="raise", cascade="all, delete-orphan"
    )


class JobProfileRequirement(Entity, Base):
    __tablename__ = "job_profile_requirement"
    __table_args__ = (
        UniqueConstraint("job_profile_id", "competency_id"),
        CheckConstraint("required_level BETWEEN 1 AND 5", name="required_level"),
        CheckConstraint("importance BETWEEN 1 AND 5", name="importance"),
    )

    job_profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("job_profile.id", ondelete="CASCADE")
    )
    competency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competency.id"), index=True)
    required_level: Mapped[int]
    importance: Mapped[int]

    job_profile: Mapped[JobProfile] = relationship(back_populates="requirements", lazy="raise")
    competency: Mapped[Competency] = relationship(lazy="raise")
