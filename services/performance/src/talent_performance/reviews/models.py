"""Reviews (self, manager, peer), their per-competency ratings, peer requests and the
deadline notices already sent for them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from talent_performance.db import Base
from talent_platform.db import Entity

REVIEW_KINDS = ("self", "manager", "peer")
# draft -> submitted -> signed_off; HR reopens submitted -> draft; cancelled when the
# employee leaves the population (termination, transfer out) while the cycle runs.
REVIEW_STATUSES = ("draft", "submitted", "signed_off", "cancelled")


class Review(Entity, Base):
    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("overall_rating IS NULL OR overall_rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint(
            "calibrated_rating IS NULL OR calibrated_rating BETWEEN 1 AND 5", name="calibrated"
        ),
        # One self and one manager review per employee and cycle; peers may be many.
        Index(
            "uq_review_cycle_id_employee_id_kind",
            "cycle_id",
            "employee_id",
            "kind",
            unique=True,
            postgresql_where=text("kind <> 'peer'"),
        ),
        Index("ix_review_cycle_id_kind_status", "cycle_id", "kind", "status"),
        Index("ix_review_employee_id", "employee_id"),
        Index("ix_review_reviewer_id", "reviewer_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cycle.id"))
    employee_id: Mapped[uuid.UUID]
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    overall_rating: Mapped[int | None] = mapped_column(Integer, default=None)
    calibrated_rating: Mapped[int | None] = mapped_column(Integer, default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    # The rating as last submitted: a resubmission after a reopen audits the change.
    submitted_rating: Mapped[int | None] = mapped_column(Integer, default=None)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ReviewCompetency(Base):
    """One competency a review rates (from the employee's job profile at launch)."""

    __tablename__ = "review_competency"
    __table_args__ = (CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),)

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), primary_key=True
    )
    competency_code: Mapped[str] = mapped_column(String(200), primary_key=True)
    required_level: Mapped[int | None] = mapped_column(Integer, default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)


class PeerRequest(Entity, Base):
    """A peer asked to review an employee; the employee's manager approves it."""

    __tablename__ = "peer_request"
    __table_args__ = (
        Index(
            "uq_peer_request_cycle_id_employee_id_reviewer_id",
            "cycle_id",
            "employee_id",
            "reviewer_id",
            unique=True,
        ),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("review_cycle.id"))
    employee_id: Mapped[uuid.UUID]
    reviewer_id: Mapped[uuid.UUID]
    requested_by: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    review_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("review.id"), default=None)


class ReviewNotice(Base):
    """A deadline notice sent for a review (`due_soon` or `overdue`), so each goes once."""

    __tablename__ = "review_notice"

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), primary_key=True
    )
    phase: Mapped[str] = mapped_column(String(30), primary_key=True)
    notice: Mapped[str] = mapped_column(String(20), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
