"""The GraphQL enum of notification categories, shared by preferences and webhooks."""

from __future__ import annotations

from enum import Enum

import strawberry

from talent_platform.graphql import enum_value


@strawberry.enum(
    description="A group of notification kinds: what preferences and webhooks are set for."
)
class NotificationCategory(Enum):
    LEARNING = enum_value(
        "learning",
        description="Courses assigned, due soon and overdue, certifications expiring.",
    )
    REVIEWS = enum_value(
        "reviews",
        description="Reviews due soon and overdue (with escalation), reviews released.",
    )
    SUCCESSION = enum_value(
        "succession",
        description="Key roles uncovered and stale succession records, for succession "
        "recipients (HR). A webhook receives them only when it names this category.",
    )
    RECOMMENDATIONS = enum_value(
        "recommendations",
        description="New recommended development actions for a manager's team.",
    )
    ANNOUNCEMENTS = enum_value(
        "announcements", description="Announcements from HR (`sendAnnouncement`)."
    )
