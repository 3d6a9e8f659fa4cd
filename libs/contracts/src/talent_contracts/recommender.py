"""Events published by the recommender service on `talent.recommender.v1`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from talent_contracts.base import EventPayload, event

RecommendationKind = Literal["course", "successor"]
FeedbackKind = Literal["accepted", "dismissed"]


@event("talent.recommender.recommendation.issued.v1")
class RecommendationIssued(EventPayload):
    """A recommendation was shown for the first time. Its id is deterministic (the same
    employee and course, or employee and key role, always get the same id), so it is
    issued once however often it is served again."""

    recommendation_id: uuid.UUID
    kind: RecommendationKind
    employee_id: uuid.UUID
    course_code: str | None
    key_role_id: uuid.UUID | None
    score: float
    model_version: int | None
    reasons: tuple[str, ...]
    issued_at: dt.datetime


@event("talent.recommender.recommendation.feedback.v1")
class RecommendationFeedback(EventPayload):
    """Someone acted on a recommendation: accepted it (a course assigned with its id, seen
    on learning's enrollment.assigned) or dismissed it (`dismissRecommendation`)."""

    feedback_id: uuid.UUID
    kind: FeedbackKind
    recommendation_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str | None
    key_role_id: uuid.UUID | None = None
    reason: str | None
    # Who: the token subject for a dismissal, "learning" for an acceptance.
    by: str
    at: dt.datetime
    # The enrollment that accepted a course recommendation.
    enrollment_id: uuid.UUID | None = None
