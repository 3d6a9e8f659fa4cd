"""The delivery ledger: one row per (source event, recipient, channel).

An in-app row is the notification in the recipient's inbox (delivered when it is made,
read when `read_at` is set); an email row waits as PENDING until the worker's delivery
job sends it, or as DIGEST when the recipient's preferences hold it for a digest. No row
is written for a channel the recipient turned OFF (unless the notice is mandatory). The
unique key makes a redelivered or replayed event create nothing new.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base
from talent_platform.db import Entity


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DIGEST = "digest"
    """Held for the recipient's daily or weekly digest (`Delivery.digest`); the email
    job does not send it; the digest job puts it in a digest (`digests/`), and it is
    SENT when that digest is (`Delivery.digest_delivery_id`)."""


class NotificationKind(StrEnum):
    ENROLLMENT_ASSIGNED = "enrollment_assigned"
    ENROLLMENT_DUE_SOON = "enrollment_due_soon"
    ENROLLMENT_OVERDUE = "enrollment_overdue"
    CERTIFICATION_EXPIRING = "certification_expiring"
    REVIEW_DUE_SOON = "review_due_soon"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_RELEASED = "review_released"
    REVIEW_PHASE_OPENED = "review_phase_opened"
    """A review phase opened in which the recipient has reviews to write (one notice per
    reviewer, cycle and phase: reviews/phases.py)."""
    TEAM_RECOMMENDATIONS = "team_recommendations"
    ANNOUNCEMENT = "announcement"
    """A coordinator's announcement (announcements/)."""
    KEY_ROLE_UNCOVERED = "key_role_uncovered"
    """A key role has no ready-now successor (to succession recipients)."""
    SUCCESSION_RECORD_STALE = "succession_record_stale"
    """A potential assessment, readiness assessment or plan was not reviewed by its
    review-by date (to succession recipients; never its value)."""
    DIGEST = "digest"
    """One email with the recipient's held notices of a day or a week (`digests/`)."""
    MANAGER_DIGEST = "manager_digest"
    """A manager's weekly email about their direct reports' learning (`digests/`)."""
    SUCCESSION_DIGEST = "succession_digest"
    """A succession recipient's weekly email: uncovered key roles, stale records, new
    successor suggestions for critical roles (`digests/`)."""


class Audience(StrEnum):
    """Why the recipient hears about it: it is theirs, or it is their report's."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    ESCALATION = "escalation"
    """The manager of the manager of someone who is behind (an escalated reminder)."""
    HR = "hr"
    """A succession recipient (an HR leader the admins named)."""
    WEBHOOK = "webhook"
    """A webhook registered for the employee's org unit or the notice's category (the
    row's `recipient_id` is then the webhook's id)."""


class Delivery(Entity, Base):
    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("source_event_id", "recipient_id", "channel"),
        # A recipient's inbox, newest first.
        Index("ix_delivery_inbox", "recipient_id", "channel", "created_at"),
        # What the email delivery job picks.
        Index(
            "ix_delivery_due_email",
            "next_attempt_at",
            postgresql_where=text("status = 'pending' AND channel = 'email'"),
        ),
        # What the webhook delivery job picks.
        Index(
            "ix_delivery_due_webhook",
            "next_attempt_at",
            postgresql_where=text("status = 'pending' AND channel = 'webhook'"),
        ),
    )

    source_event_id: Mapped[uuid.UUID]
    """`ce_id` of the event the notification comes from."""
    recipient_id: Mapped[uuid.UUID]
    """The employee it is for; on the webhook channel, the webhook."""
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(20))
    subject_employee_id: Mapped[uuid.UUID]
    """The employee the notification is about (the recipient, or their report)."""
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """What the message says, from the event: course code, dates, reason."""
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    """Why the last attempt failed (admins only)."""
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    digest: Mapped[str | None] = mapped_column(String(10), default=None)
    """`daily` or `weekly` for a row held for a digest (status DIGEST), else null."""
    digest_delivery_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    """For a held row: the ledger row of the digest email it went in (set when the digest
    is made; the row is SENT when that email is)."""
