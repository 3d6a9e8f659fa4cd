"""Announcements: a coordinator's message to a population (`audience`), sent at once or
held until `send_at`; its recipients are ledger rows (kind `announcement`, source the
announcement's id). Also what the `overdueEnrollments` audience reads: the enrollments
learning reported overdue and has not closed since."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import ARRAY, Date, DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base
from talent_platform.db import Entity


class AnnouncementStatus(StrEnum):
    SCHEDULED = "scheduled"
    """Waiting for `send_at` (the worker's announcement job sends it)."""
    SENT = "sent"
    """Its recipients' ledger rows are written."""


class Announcement(Entity, Base):
    __tablename__ = "announcement"
    __table_args__ = (
        Index(
            "ix_announcement_due",
            "send_at",
            postgresql_where=text("status = 'scheduled'"),
        ),
        Index("ix_announcement_created", "created_at"),
    )

    created_by: Mapped[str] = mapped_column(String(200))
    """The sender's token subject."""
    sender_scope: Mapped[list[str] | None] = mapped_column(ARRAY(String(200)), default=None)
    """The sender's HR org scope when they sent it (an hr_coordinator's org units; null:
    unlimited): recipients outside it are left out, also when it is sent later."""
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    """Plain text, as the sender wrote it (escaped in HTML)."""
    audience: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """Exactly one of orgUnit, jobProfileCode, cycleParticipants, behind,
    overdueEnrollments, as the input named it."""
    send_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    recipient_count: Mapped[int | None] = mapped_column(Integer, default=None)
    """How many people it was sent to (null until sent)."""


class OverdueEnrollment(Base):
    """An enrollment learning reported overdue (`enrollment.overdue`) and has not
    completed, waived or cancelled since."""

    __tablename__ = "overdue_enrollment"
    __table_args__ = (Index("ix_overdue_enrollment_course", "course_code"),)

    enrollment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_code: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[dt.date] = mapped_column(Date)


class AnnouncementTemplate(Base):
    """A subject and text HR saved under a code to send again (`sendAnnouncement(input:
    {template})`): the reminders a coordinator sends every cycle."""

    __tablename__ = "announcement_template"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    """The token subject who saved it last."""
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
