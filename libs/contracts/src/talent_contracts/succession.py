"""Events published by the succession service on `talent.succession.v1`.

`plan_action.created` is consumed by learning (a course action becomes an assignment);
the succession service adds its other facts alongside it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from talent_contracts.base import EventPayload, event

PlanActionKind = Literal["course", "assignment", "mentoring", "stretch_project"]


@event("talent.succession.plan_action.created.v1")
class PlanActionCreated(EventPayload):
    """A development-plan action was added. For `kind == "course"`, `course_code` names the
    course learning should assign (reason `development_plan`, reference `action_id`)."""

    action_id: uuid.UUID
    plan_id: uuid.UUID
    employee_id: uuid.UUID
    kind: PlanActionKind
    title: str
    course_code: str | None
    target_date: dt.date | None
    created_by: uuid.UUID | None


Level = Literal["low", "medium", "high"]
Readiness = Literal["ready_now", "ready_1_2_years", "ready_3_plus_years"]
StaleRecordKind = Literal["potential", "readiness", "plan"]


@event("talent.succession.key_role.defined.v1", key_field="key_role_id")
class KeyRoleDefined(EventPayload):
    """A key role was created or changed; carries the role as it now is."""

    key_role_id: uuid.UUID
    code: str
    title: str
    job_profile_code: str | None
    incumbent_id: uuid.UUID | None
    org_unit_code: str | None
    criticality: Level
    risk_of_loss: Level | None
    impact_of_loss: Level | None
    expected_vacancy_date: dt.date | None


@event("talent.succession.key_role.vacated.v1", key_field="key_role_id")
class KeyRoleVacated(EventPayload):
    """A key role lost its incumbent (`reason`: terminated, transferred or cleared by HR)."""

    key_role_id: uuid.UUID
    code: str
    previous_incumbent_id: uuid.UUID
    reason: Literal["terminated", "transferred", "cleared"]
    vacated_on: dt.date


@event("talent.succession.potential.assessed.v1")
class PotentialAssessed(EventPayload):
    assessment_id: uuid.UUID
    employee_id: uuid.UUID
    potential: Level
    assessed_on: dt.date
    assessor_id: uuid.UUID | None
    review_by: dt.date


@event("talent.succession.high_potential.designated.v1")
class HighPotentialDesignated(EventPayload):
    """An employee was designated high potential (`designated` true) or the designation
    ended (`designated` false)."""

    designation_id: uuid.UUID
    employee_id: uuid.UUID
    designated: bool
    designated_on: dt.date
    reason: str
    review_date: dt.date | None


@event("talent.succession.readiness.assessed.v1")
class ReadinessAssessed(EventPayload):
    nomination_id: uuid.UUID
    key_role_id: uuid.UUID
    employee_id: uuid.UUID
    readiness: Readiness
    assessed_on: dt.date
    review_by: dt.date


@event("talent.succession.successor.nominated.v1")
class SuccessorNominated(EventPayload):
    """A successor was put on a key role's slate; `suggestion_id` names the recommender's
    suggestion it was accepted from, if any."""

    nomination_id: uuid.UUID
    key_role_id: uuid.UUID
    key_role_code: str
    employee_id: uuid.UUID
    readiness: Readiness
    rank: int
    emergency: bool
    suggestion_id: uuid.UUID | None
    nominated_on: dt.date


@event("talent.succession.successor.removed.v1")
class SuccessorRemoved(EventPayload):
    nomination_id: uuid.UUID
    key_role_id: uuid.UUID
    key_role_code: str
    employee_id: uuid.UUID
    reason: str
    removed_on: dt.date


@event("talent.succession.plan_action.completed.v1")
class PlanActionCompleted(EventPayload):
    """A development-plan action was completed (for a course action: by learning's
    enrollment.completed)."""

    action_id: uuid.UUID
    plan_id: uuid.UUID
    employee_id: uuid.UUID
    kind: PlanActionKind
    course_code: str | None
    completed_on: dt.date


@event("talent.succession.review.overdue.v1")
class ReviewOverdue(EventPayload):
    """A potential assessment, readiness assessment or plan passed its review-by date
    without being reviewed; published once per record and review-by date."""

    record_kind: StaleRecordKind
    record_id: uuid.UUID
    employee_id: uuid.UUID
    review_by: dt.date


@event("talent.succession.key_role.uncovered.v1", key_field="key_role_id")
class KeyRoleUncovered(EventPayload):
    """A key role has no ready-now successor (published once until it is covered again)."""

    key_role_id: uuid.UUID
    code: str
    criticality: Level
    successors: int
