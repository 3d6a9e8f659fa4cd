"""The GraphQL enums of reviews, shared by the cycle, review and report types (their
values are what `review.kind` and `review.status` store)."""

from __future__ import annotations

from enum import Enum

import strawberry

from talent_performance.reviews.models import REVIEW_KINDS, REVIEW_STATUSES


@strawberry.enum(description="Who writes a review about the employee.")
class ReviewKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    SELF = strawberry.enum_value("self", description="The employee's review of themself.")
    MANAGER = strawberry.enum_value(
        "manager",
        description="The manager's review: the rating that is calibrated and signed off.",
    )
    PEER = strawberry.enum_value(
        "peer", description="Feedback from a colleague whose peer request was approved."
    )


@strawberry.enum(
    description="DRAFT -> SUBMITTED -> SIGNED_OFF (manager reviews); HR may reopen a "
    "SUBMITTED review; CANCELLED when the employee left the population."
)
class ReviewStatus(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    DRAFT = strawberry.enum_value(
        "draft", description="Being written (or reopened by HR); only its reviewer changes it."
    )
    SUBMITTED = strawberry.enum_value(
        "submitted", description="Submitted by its reviewer; no longer editable."
    )
    SIGNED_OFF = strawberry.enum_value(
        "signed_off",
        description="A manager review signed off in the sign-off phase; final, never changes.",
    )
    CANCELLED = strawberry.enum_value(
        "cancelled",
        description="The employee left the cycle's population (termination, transfer out) "
        "while it was a draft; it is a draft again if they come back.",
    )


assert {k.value for k in ReviewKind} == set(REVIEW_KINDS)
assert {s.value for s in ReviewStatus} == set(REVIEW_STATUSES)
