"""Events published by the recommender service on `talent.recommender.v1`."""

from __future__ import annotations

import datetime as dt
import uuid

from talent_contracts.base import EventPayload, event


@event("talent.recommender.recommendation.dismissed.v1")
class RecommendationDismissed(EventPayload):
    """Someone dismissed a course recommended for an employee; it is not recommended to
    them again and courses on the same competencies rank lower."""

    dismissal_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    reason: str
    dismissed_by: str
    dismissed_at: dt.datetime
