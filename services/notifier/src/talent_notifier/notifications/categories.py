"""Categories of notifications (issue 17's grouping: learning, reviews, succession,
recommendations, announcements): what a webhook subscribes to. Learning, reviews,
recommendations and announcements have notices; succession is there so a subscription
can be made ahead of them."""

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
    # Digests gather learning notices only today; a digest is not itself subject to a
    # category's preference (its held rows were).
    NotificationKind.DIGEST: NotificationCategory.LEARNING,
    NotificationKind.MANAGER_DIGEST: NotificationCategory.LEARNING,
}


def category_of(kind: NotificationKind) -> NotificationCategory:
    return CATEGORY_OF_KIND[kind]
