"""Development-plan actions from the succession service: a `course` action becomes an
assignment with reason `development_plan` and the action's id."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.succession import PlanActionCreated
from talent_learning.courses.models import Course
from talent_learning.db import outbox
from talent_learning.enrollments.assign import (
    Assignment,
    Population,
    assign_statement,
    assigned_events,
)
from talent_platform.events import Envelope

log = logging.getLogger(__name__)


def assign_plan_action(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    """Unknown or retired courses and non-course actions are logged and skipped (a retry
    would not make them valid, so they must not loop into the dead-letter topic)."""
    if not isinstance(payload, PlanActionCreated):
        raise TypeError(f"not a plan action: {type(payload).__name__}")
    if payload.kind != "course":
        return
    course = (
        session.execute(select(Course).where(Course.code == (payload.course_code or "")))
        .scalars()
        .one_or_none()
    )
    if course is None or not course.active:
        log.warning(
            "plan action names no active course; skipped",
            extra={"action_id": str(payload.action_id), "course_code": payload.course_code},
        )
        return
    assignment = Assignment(
        course_id=course.id,
        course_code=course.code,
        reason="development_plan",
        due_on=payload.target_date,
        assigned_by=f"plan:{payload.plan_id}",
        plan_action_id=payload.action_id,
    )
    rows = session.execute(
        assign_statement(assignment, Population(employee_ids=[payload.employee_id]))
    ).all()
    if not rows:
        log.info(
            "plan action not assigned (employee unknown, inactive or already enrolled)",
            extra={"action_id": str(payload.action_id), "employee_id": str(payload.employee_id)},
        )
    outbox.add(session, *assigned_events(assignment, [tuple(r) for r in rows]))
