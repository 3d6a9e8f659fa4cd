"""Categories of notifications (issue 17's grouping: learning, reviews, succession,
recommendations, announcements): what a webhook subscribes to. Learning, reviews and
recommendations have notices; the other categories are there so a subscription can be
made ahead of them."""

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
    NotificationKind.TEAM_RECOMMENDATIONS: NotificationCategory.RECOMMENDATIONS,
    # A digest is not itself subject to a category's preference: its held rows were, and
    # each of its sections is decided by its own category (digests/service.py).
    NotificationKind.DIGEST: NotificationCategory.LEARNING,
    NotificationKind.MANAGER_DIGEST: NotificationCategory.LEARNING,
}


def category_of(kind: NotificationKind) -> NotificationCategory:
    return CATEGORY_OF_KIND[kind]
