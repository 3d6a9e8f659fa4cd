from __future__ import annotations

import uuid

from talent_contracts.succession import PlanActionCompleted, PlanActionCreated
from talent_succession.plans.models import PlanAction


def plan_action_created(action: PlanAction, *, created_by: uuid.UUID | None) -> PlanActionCreated:
    return PlanActionCreated(
        action_id=action.id,
        plan_id=action.plan_id,
        employee_id=action.employee_id,
        kind=action.kind,
        title=action.title,
        course_code=action.course_code,
        target_date=action.target_date,
        created_by=created_by,
    )


def plan_action_completed(action: PlanAction) -> PlanActionCompleted:
    assert action.completed_on is not None
    return PlanActionCompleted(
        action_id=action.id,
        plan_id=action.plan_id,
        employee_id=action.employee_id,
        kind=action.kind,
        course_code=action.course_code,
        completed_on=action.completed_on,
    )
