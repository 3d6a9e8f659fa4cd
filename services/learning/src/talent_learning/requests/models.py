"""External training and tuition reimbursement requests: submitted by an employee,
approved by their manager, then by HR, within a yearly cap per currency."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talent_learning.db import Base
from talent_platform.db import Entity

REQUEST_STATUSES = ("submitted", "manager_approved", "approved", "rejected", "withdrawn")
# Requests that count against the employee's yearly cap.
COUNTED_STATUSES = ("submitted", "manager_approved", "approved")


class TrainingRequest(Entity, Base):
    __tablename__ = "training_request"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint(
            "status IN ('submitted', 'manager_approved', 'approved', 'rejected', 'withdrawn')",
            name="status",
        ),
        Index("ix_training_request_employee_id_policy_year", "employee_id", "policy_year"),
    )

    employee_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    # The calendar year of `starts_on`: the cap applies per employee, year and currency.
    policy_year: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    rejection_reason: Mapped[str | None] = mapped_column(Text, default=None)


class TrainingRequestChange(Entity, Base):
    """Every status a request went through, with who and why, oldest first."""

    __tablename__ = "training_request_change"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_request.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text, default=None)


class TuitionPolicy(Base):
    """The most one employee may be granted per calendar year, per currency."""

    __tablename__ = "tuition_policy"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    yearly_cap: Mapped[Decimal] = mapped_column(Numeric(12, 2))
