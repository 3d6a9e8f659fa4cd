"""Events published by the performance service on `talent.performance.v1`.

The events other services consume (succession's 9-box, the recommender's evidence) are
defined here first; the performance service adds its own facts alongside them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from talent_contracts.base import EventPayload, event

ReviewKind = Literal["self", "manager", "peer"]
AssessmentSource = Literal["self", "manager", "peer", "assessment"]


@event("talent.performance.competency.assessed.v1")
class CompetencyAssessed(EventPayload):
    """A competency of an employee was rated (1-5) by a review or a historical import."""

    assessment_id: uuid.UUID
    employee_id: uuid.UUID
    competency_code: str
    level: int
    source: AssessmentSource
    assessed_on: dt.date
    assessor_id: uuid.UUID | None
    cycle_id: uuid.UUID | None


@event("talent.performance.review.submitted.v1")
class ReviewSubmitted(EventPayload):
    """A review was submitted; `overall_rating` is on the cycle's 1-5 scale."""

    review_id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_code: str
    employee_id: uuid.UUID
    reviewer_id: uuid.UUID | None
    kind: ReviewKind
    overall_rating: int | None
    submitted_at: dt.datetime


@event("talent.performance.rating.calibrated.v1")
class RatingCalibrated(EventPayload):
    """An employee's final overall rating for a cycle, once calibration closed (or a
    historical rating was imported): the performance axis of the 9-box."""

    employee_id: uuid.UUID
    cycle_id: uuid.UUID | None
    cycle_code: str
    overall_rating: int
    previous_rating: int | None
    rated_on: dt.date


# -- the performance service's own facts ------------------------------------------------
CycleKind = Literal["annual", "mid_year", "check_in_90"]
CyclePhase = Literal[
    "goal_setting",
    "self_review",
    "peer_feedback",
    "manager_review",
    "calibration",
    "sign_off",
    "release",
]


@event("talent.performance.cycle.launched.v1", key_field="cycle_id")
class CycleLaunched(EventPayload):
    """A review cycle was launched: its reviews exist for `population` employees."""

    cycle_id: uuid.UUID
    cycle_code: str
    name: str
    kind: CycleKind
    phase: CyclePhase
    population: int
    launched_at: dt.datetime


@event("talent.performance.cycle.phase_changed.v1", key_field="cycle_id")
class CyclePhaseChanged(EventPayload):
    cycle_id: uuid.UUID
    cycle_code: str
    phase: CyclePhase
    previous_phase: CyclePhase | None
    due_on: dt.date | None


@event("talent.performance.cycle.released.v1", key_field="cycle_id")
class CycleReleased(EventPayload):
    """HR released the cycle: employees now see their manager reviews and ratings."""

    cycle_id: uuid.UUID
    cycle_code: str
    released_at: dt.datetime


@event("talent.performance.cycle.closed.v1", key_field="cycle_id")
class CycleClosed(EventPayload):
    cycle_id: uuid.UUID
    cycle_code: str
    closed_at: dt.datetime


@event("talent.performance.review.due_soon.v1")
class ReviewDueSoon(EventPayload):
    """A review's phase deadline is near and it is not submitted (published once)."""

    review_id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_code: str
    employee_id: uuid.UUID
    reviewer_id: uuid.UUID | None
    kind: ReviewKind
    phase: CyclePhase
    due_on: dt.date


@event("talent.performance.review.overdue.v1")
class ReviewOverdue(EventPayload):
    """A review's phase deadline passed and it is not submitted (published once)."""

    review_id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_code: str
    employee_id: uuid.UUID
    reviewer_id: uuid.UUID | None
    kind: ReviewKind
    phase: CyclePhase
    due_on: dt.date


ReviewAssignedReason = Literal["launch", "population", "peer_request", "reopened"]


@event("talent.performance.review.assigned.v1")
class ReviewAssigned(EventPayload):
    """A review is a draft its reviewer must write: created at launch, by a population
    change (a hire, a transfer into the population, a cancelled review restored, a new
    manager taking over the manager review), by an approved peer request, or reopened by
    HR. Carries the review as it now is; a later one for the same review supersedes it."""

    review_id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_code: str
    employee_id: uuid.UUID
    reviewer_id: uuid.UUID | None
    kind: ReviewKind
    phase: CyclePhase
    """The phase the review is written in (self_review, peer_feedback, manager_review)."""
    due_on: dt.date | None
    """That phase's deadline."""
    reason: ReviewAssignedReason


@event("talent.performance.review.cancelled.v1")
class ReviewCancelled(EventPayload):
    """A draft review was cancelled: its employee left the cycle's population."""

    review_id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_code: str
    employee_id: uuid.UUID


@event("talent.performance.review.signed_off.v1")
class ReviewSignedOff(EventPayload):
    """A submitted manager review was signed off in the sign-off phase (final)."""

    review_id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_code: str
    employee_id: uuid.UUID
    reviewer_id: uuid.UUID | None
    signed_off_at: dt.datetime


GoalScope = Literal["individual", "team", "org"]
GoalStatus = Literal["not_started", "on_track", "at_risk", "off_track", "completed", "cancelled"]


@event("talent.performance.goal.updated.v1", key_field="goal_id")
class GoalUpdated(EventPayload):
    """A goal was created or changed; carries the whole goal after the change."""

    goal_id: uuid.UUID
    scope: GoalScope
    owner_id: uuid.UUID | None
    cycle_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    title: str
    target: str
    weight: int
    progress: int
    status: GoalStatus
    due_on: dt.date
