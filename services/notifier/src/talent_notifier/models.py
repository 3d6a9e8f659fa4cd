"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_notifier.db import Base, messaging
from talent_notifier.notifications.models import Delivery
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.preferences.models import (
    AuditEntry,
    ComplianceEnrollment,
    NotificationDefault,
    NotificationPreference,
    QuietHours,
)

__all__ = [
    "AuditEntry",
    "Base",
    "ComplianceEnrollment",
    "Delivery",
    "EmployeeProjection",
    "NotificationDefault",
    "NotificationPreference",
    "QuietHours",
    "messaging",
]
