"""Completing plan actions, one implementation for HR's completions (`PlanService.complete`,
through `run_sync`) and learning's (`plans/consumers.py`, which completes the open course
actions of the employee and course a learning completion names)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_succession.audit.service import record_entry, snapshot
from talent_succession.db import outbox
from talent_succession.plans.events import plan_action_completed
from talent_succession.plans.models import PlanAction


def open_course_actions(
    session: Session, *, employee_id: uuid.UUID, course_code: str
) -> Sequence[PlanAction]:
    """The employee's open actions to take this course, locked until the transaction ends."""
    return session.scalars(
        select(PlanAction)
        .where(
            PlanAction.employee_id == employee_id,
            PlanAction.course_code == course_code,
            PlanAction.kind == "course",
            PlanAction.status == "open",
        )
        .with_for_update()
    ).all()


def complete_actions(
    session: Session,
    actions: Sequence[PlanAction],
    *,
    on: dt.date,
    by: str,
    completion_id: uuid.UUID | None = None,
) -> None:
    """Complete these open actions on `on`: each audited as plan_action.completed by `by`
    (with the learning completion that completed it, if one did) and announced by
    plan_action.completed."""
    before = {action.id: snapshot(action) for action in actions}
    for action in actions:
        action.status, action.completed_on = "completed", on
    session.flush()
    for action in actions:
        after = snapshot(action)
        if completion_id is not None:
            after["completion_id"] = str(completion_id)
        record_entry(
            session,
            by,
            "plan_action.completed",
            "plan_action",
            action.id,
            before=before[action.id],
            after=after,
        )
    outbox.add(session, *(plan_action_completed(a) for a in actions))
