"""Successor slates: nominations of employees for a key role, and their readiness history.

A removed nomination keeps its row (`removed_on`, `removed_reason`): the slate's history.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_platform.db import Entity
from talent_succession.db import Base

READINESS = ("ready_now", "ready_1_2_years", "ready_3_plus_years")
_READINESS_CHECK = "readiness IN ('ready_now', 'ready_1_2_years', 'ready_3_plus_years')"


class Nomination(Entity, Base):
    __tablename__ = "nomination"
    __table_args__ = (
        CheckConstraint(_READINESS_CHECK, name="readiness"),
        CheckConstraint("rank >= 1", name="rank"),
        Index(
            "uq_nomination_open_employee",
            "key_role_id",
            "employee_id",
            unique=True,
            postgresql_where=text("removed_on IS NULL"),
        ),
        Index(
            "uq_nomination_open_rank",
            "key_role_id",
            "rank",
            unique=True,
            postgresql_where=text("removed_on IS NULL"),
        ),
        # Bench strength aggregates open nominations by role and readiness.
        Index(
            "ix_nomination_open_role_readiness",
            "key_role_id",
            "readiness",
            postgresql_where=text("removed_on IS NULL"),
        ),
        Index("ix_nomination_employee_id", "employee_id"),
        Index("ix_nomination_review_by", "review_by", postgresql_where=text("removed_on IS NULL")),
    )

    key_role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("key_role.id"))
    employee_id: Mapped[uuid.UUID]
    readiness: Mapped[str] = mapped_column(String(30))
    rank: Mapped[int]
    notes: Mapped[str] = mapped_column(Text, default="")
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    suggestion_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    nominated_on: Mapped[dt.date] = mapped_column(Date)
    nominated_by: Mapped[str] = mapped_column(String(200))
    readiness_assessed_on: Mapped[dt.date] = mapped_column(Date)
    review_by: Mapped[dt.date] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    removed_reason: Mapped[str | None] = mapped_column(Text, default=None)
    removed_by: Mapped[str | None] = mapped_column(String(200), default=None)


class ReadinessAssessment(Entity, Base):
    """Every readiness a nomination was given, the first one included."""

    __tablename__ = "readiness_assessment"
    __table_args__ = (CheckConstraint(_READINESS_CHECK, name="readiness"),)

    nomination_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nomination.id"), index=True)
    readiness: Mapped[str] = mapped_column(String(30))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessed_by: Mapped[str] = mapped_column(String(200))
