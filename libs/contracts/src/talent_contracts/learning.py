"""Events published by the learning service on `talent.learning.v1`."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict

from talent_contracts.base import EventPayload, event


class CourseSkill(BaseModel):
    model_config = ConfigDict(frozen=True)

    competency_code: str
    level: int


@event("talent.learning.course.published.v1", key_field="code")
class CoursePublished(EventPayload):
    """A course was added to the catalog or changed; carries the skills it teaches."""

    code: str
    title: str
    description: str
    duration_hours: float
    modality: str
    mandatory: bool
    recertify_months: int | None
    skills: tuple[CourseSkill, ...]


@event("talent.learning.enrollment.completed.v1")
class EnrollmentCompleted(EventPayload):
    """An employee completed a course (by mutation, CSV import or xAPI)."""

    completion_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    completed_on: dt.date
    score: float | None
    source: str
