"""Every model of the service, imported once so Alembic sees the whole MetaData."""

from talent_notifier.announcements.models import (
    Announcement,
    AnnouncementTemplate,
    OverdueEnrollment,
)
from talent_notifier.audit.models import AuditEntry
from talent_notifier.db import Base, messaging
from talent_notifier.notifications.models import Delivery
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.preferences.models import (
    ComplianceEnrollment,
    NotificationDefault,
    NotificationPreference,
    QuietHours,
)
from talent_notifier.recommendations.models import CourseRecommendation
from talent_notifier.reviews.models import CycleParticipant, CycleState, ReviewTask
from talent_notifier.succession.models import (
    KeyRoleSummary,
    ReadySuccessor,
    StaleRecord,
    SuccessionRecipient,
    SuccessorSuggestion,
)
from talent_notifier.webhooks.models import Webhook

__all__ = [
    "Announcement",
    "AnnouncementTemplate",
    "AuditEntry",
    "Base",
    "ComplianceEnrollment",
    "CourseRecommendation",
    "CycleParticipant",
    "CycleState",
    "Delivery",
    "EmployeeProjection",
    "KeyRoleSummary",
    "NotificationDefault",
    "NotificationPreference",
    "OverdueEnrollment",
    "QuietHours",
    "ReadySuccessor",
    "ReviewTask",
    "StaleRecord",
    "SuccessionRecipient",
    "SuccessorSuggestion",
    "Webhook",
    "messaging",
]
