"""Categories of notifications (issue 17's grouping: learning, reviews, succession,
recommendations, announcements): what a webhook subscribes to. Learning, reviews,
recommendations, succession and announcements have notices. SUCCESSION is HR's: a
webhook gets its notices only when it names the category (`CONFIDENTIAL_CATEGORIES`),
never as one of "all categories"."""

from __future__ import annotations

from enum import StrEnum

from talent_notifier.notifications.models import NotificationKind


class NotificationCategory(StrEnum):
    LEARNING = "learning"
    REVIEWS = "reviews"
    SUCCESSION = "succession"
    RECOMMENDATIONS = "recommendations"
    ANNOUNCEMENTS = "announcements"


CATEGORY_OF_KIND: dict[NotificationKind, NotificationCategory] = {
    NotificationKind.ENROLLMENT_ASSIGNED: NotificationCategory.LEARNING,
    NotificationKind.ENROLLMENT_DUE_SOON: NotificationCategory.LEARNING,
    NotificationKind.ENROLLMENT_OVERDUE: NotificationCategory.LEARNING,
    NotificationKind.CERTIFICATION_EXPIRING: NotificationCategory.LEARNING,
    NotificationKind.REVIEW_DUE_SOON: NotificationCategory.REVIEWS,
    NotificationKind.REVIEW_OVERDUE: NotificationCategory.REVIEWS,
    NotificationKind.REVIEW_RELEASED: NotificationCategory.REVIEWS,
    NotificationKind.REVIEW_PHASE_OPENED: NotificationCategory.REVIEWS,
    NotificationKind.ANNOUNCEMENT: NotificationCategory.ANNOUNCEMENTS,
    NotificationKind.TEAM_RECOMMENDATIONS: NotificationCategory.RECOMMENDATIONS,
    NotificationKind.KEY_ROLE_UNCOVERED: NotificationCategory.SUCCESSION,
    NotificationKind.SUCCESSION_RECORD_STALE: NotificationCategory.SUCCESSION,
    # A digest is not itself subject to a category's preference: its held rows were, and
    # each of its sections is decided by its own category (digests/service.py).
    NotificationKind.DIGEST: NotificationCategory.LEARNING,
    NotificationKind.MANAGER_DIGEST: NotificationCategory.LEARNING,
    NotificationKind.SUCCESSION_DIGEST: NotificationCategory.SUCCESSION,
}


CONFIDENTIAL_CATEGORIES = frozenset({NotificationCategory.SUCCESSION})
"""Categories a webhook receives only when it subscribed to them by name."""


def category_of(kind: NotificationKind) -> NotificationCategory:
    return CATEGORY_OF_KIND[kind]
