"""Who hears about what, how often: a person's own settings per (category, channel),
HR's defaults per (category, channel), org-wide or for an org unit, a person's quiet
hours, and the audit trail of changes to the defaults."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base
from talent_notifier.notifications.categories import NotificationCategory
from talent_platform.db import Entity

# What preferences are set for: the notification categories (notifications/categories.py).
Category = NotificationCategory


class Frequency(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


ORG_WIDE = ""
"""`NotificationDefault.org_unit_code` of the organisation-wide default."""


class NotificationPreference(Entity, Base):
    """A person's own choice for one (category, channel); none: their default applies."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("employee_id", "category", "channel"),)

    employee_id: Mapped[uuid.UUID]
    category: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(20))


class NotificationDefault(Entity, Base):
    """HR's default for one (category, channel): org-wide (`org_unit_code` is ORG_WIDE)
    or for an org unit and its sub-units."""

    __tablename__ = "notification_default"
    __table_args__ = (UniqueConstraint("org_unit_code", "category", "channel"),)

    org_unit_code: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(20))


class QuietHours(Entity, Base):
    """No email between `start` and `end` (local time in `time_zone`, an IANA name); a
    window with start after end runs over midnight."""

    __tablename__ = "quiet_hours"
    __table_args__ = (UniqueConstraint("employee_id"),)

    employee_id: Mapped[uuid.UUID]
    start: Mapped[dt.time] = mapped_column(Time)
    end: Mapped[dt.time] = mapped_column(Time)
    time_zone: Mapped[str] = mapped_column(String(64))


class ComplianceEnrollment(Base):
    """An enrollment assigned for compliance, remembered from `enrollment.assigned`:
    its due-soon and overdue reminders (whose events do not carry the reason) are then
    mandatory too."""

    __tablename__ = "compliance_enrollment"

    enrollment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
