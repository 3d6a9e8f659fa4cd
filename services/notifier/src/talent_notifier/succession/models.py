"""What the notifier keeps of succession, for HR leaders' notices and digests:

- `SuccessionRecipient`: who hears about succession (admins maintain the list; the
  notifier cannot read role claims, which live in tokens, not in data);
- `KeyRoleSummary`: a key role's code, title and criticality (from `key_role.defined`),
  and whether succession announced it uncovered (`key_role.uncovered`);
- `ReadySuccessor`: the ready-now nominations of each key role (ids only), so the
  notifier knows a role was covered again (succession publishes no "covered" event);
- `StaleRecord`: succession records announced overdue for review (`review.overdue`),
  until an event shows them reviewed;
- `SuccessorSuggestion`: the recommender's successor suggestions (ids and key role
  only), counted per key role in HR leaders' digests.

Never a potential value, a readiness level, a rating or a candidate's name.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base
from talent_platform.db import Entity


class SuccessionRecipient(Entity, Base):
    """An employee who receives succession notices and the HR leader's digest. Removing
    one sets `removed_at` (kept for the audit trail); an employee is an active recipient
    at most once."""

    __tablename__ = "succession_recipient"
    __table_args__ = (
        Index(
            "uq_succession_recipient_active",
            "employee_id",
            unique=True,
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    employee_id: Mapped[uuid.UUID]
    org_unit_code: Mapped[str | None] = mapped_column(String(200), default=None)
    """Only notices about employees of this org unit or below (stale records); key roles
    have no org unit in the notices yet, so every recipient hears about them."""
    created_by: Mapped[str] = mapped_column(String(200))
    """The token subject of the admin who added them."""
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class KeyRoleSummary(Base):
    __tablename__ = "key_role_summary"

    key_role_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(300), default=None)
    """Null until `key_role.defined` is seen (an uncovered role may arrive first)."""
    criticality: Mapped[str] = mapped_column(String(20))
    """`low`, `medium` or `high` (succession's Level)."""
    uncovered_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    """When succession last announced the role uncovered (the day the notifier heard);
    it is still uncovered while no ready-now nomination is known."""
    successors: Mapped[int | None] = mapped_column(Integer, default=None)
    """How many successors were named when it was announced uncovered."""
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ReadySuccessor(Base):
    __tablename__ = "ready_successor"
    __table_args__ = (Index("ix_ready_successor_key_role", "key_role_id"),)

    nomination_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key_role_id: Mapped[uuid.UUID]


class StaleRecord(Base):
    __tablename__ = "stale_record"
    __table_args__ = (Index("ix_stale_record_employee", "employee_id"),)

    record_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    """`potential`, `readiness` or `plan`."""
    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    review_by: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    employee_id: Mapped[uuid.UUID]
    flagged_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    """When an event showed the record reviewed (a newer assessment, a re-assessed or
    removed nomination); null while it is stale."""


class SuccessorSuggestion(Base):
    __tablename__ = "successor_suggestion"
    __table_args__ = (Index("ix_successor_suggestion_received", "key_role_id", "received_at"),)

    recommendation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key_role_id: Mapped[uuid.UUID]
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
