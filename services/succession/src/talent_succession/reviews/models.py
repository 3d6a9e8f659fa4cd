"""Talent reviews: meetings where HR and leaders discuss employees and record decisions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_succession.db import Base

DECISION_KINDS = ("nomination", "readiness_change", "designation", "development", "other")
ACTING_KINDS = ("nomination", "readiness_change", "designation")
"""Kinds whose decision carries out its action; the others are notes that change nothing."""


class TalentReview(Entity, Base):
    __tablename__ = "talent_review"

    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    participant_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200))


class ReviewedEmployee(Entity, Base):
    __tablename__ = "reviewed_employee"
    __table_args__ = (UniqueConstraint("review_id", "employee_id"),)

    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talent_review.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)


class ReviewDecision(Entity, Base):
    __tablename__ = "review_decision"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('nomination', 'readiness_change', 'designation', 'development', 'other')",
            name="kind",
        ),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talent_review.id"), index=True)
    employee_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    key_role_code: Mapped[str | None] = mapped_column(String(100), default=None)
    readiness: Mapped[str | None] = mapped_column(String(30), default=None)
    nomination_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    """The nomination a nomination or readiness-change decision created or re-assessed."""
    designation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    """The high-potential designation a designation decision made."""
    recorded_by: Mapped[str] = mapped_column(String(200))
