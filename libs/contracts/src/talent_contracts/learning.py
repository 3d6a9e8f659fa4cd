"""Events published by the learning service on `talent.learning.v1`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

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
    # The assignment this completion closed, when there was one open (added later: optional).
    enrollment_id: uuid.UUID | None = None


@event("talent.learning.course.updated.v1", key_field="code")
class CourseUpdated(EventPayload):
    """A published course was changed by `updateCourse`; carries the whole new state."""

    code: str
    title: str
    description: str
    duration_hours: float
    modality: str
    mandatory: bool
    recertify_months: int | None
    skills: tuple[CourseSkill, ...]
    version: int


@event("talent.learning.course.retired.v1", key_field="code")
class CourseRetired(EventPayload):
    """A course was withdrawn from the catalog: no new assignments; history is kept."""

    code: str
    retired_at: dt.datetime


AssignmentReason = Literal[
    "manager", "compliance", "onboarding", "recommendation", "development_plan", "self"
]


@event("talent.learning.enrollment.assigned.v1")
class EnrollmentAssigned(EventPayload):
    """A course was assigned to an employee (or the employee enrolled themself)."""

    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    due_on: dt.date | None
    reason: AssignmentReason
    recommendation_id: uuid.UUID | None = None
    plan_action_id: uuid.UUID | None = None
    path_code: str | None = None
    rule_code: str | None = None
    assigned_by: uuid.UUID | None = None
    """The employee who assigned it through the API (a manager, HR, or the employee
    enrolling themself); null when a compliance rule, a path's onboarding or a plan action
    assigned it."""


@event("talent.learning.enrollment.started.v1")
class EnrollmentStarted(EventPayload):
    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str


@event("talent.learning.enrollment.failed.v1")
class EnrollmentFailed(EventPayload):
    """An attempt was recorded as failed (xAPI `failed`); the enrollment stays closed."""

    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    score: float | None
    source: str


@event("talent.learning.enrollment.waived.v1")
class EnrollmentWaived(EventPayload):
    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    reason: str


@event("talent.learning.enrollment.cancelled.v1")
class EnrollmentCancelled(EventPayload):
    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str


@event("talent.learning.enrollment.overdue.v1")
class EnrollmentOverdue(EventPayload):
    """The due date passed without a completion (published once, by the worker's sweep)."""

    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    due_on: dt.date
    manager_id: uuid.UUID | None


@event("talent.learning.enrollment.due_soon.v1")
class EnrollmentDueSoon(EventPayload):
    """A reminder: the enrollment is due within the configured number of days (once)."""

    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    due_on: dt.date
    manager_id: uuid.UUID | None


@event("talent.learning.certification.expiring.v1")
class CertificationExpiring(EventPayload):
    """A certification (a completion of a course that must be renewed) expires within the
    configured number of days (published once per completion)."""

    completion_id: uuid.UUID
    employee_id: uuid.UUID
    course_code: str
    completed_on: dt.date
    valid_until: dt.date
    manager_id: uuid.UUID | None
