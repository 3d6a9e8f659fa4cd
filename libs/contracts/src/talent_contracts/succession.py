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
