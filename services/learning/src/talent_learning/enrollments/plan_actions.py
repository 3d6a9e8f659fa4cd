"""Development-plan actions from the succession service: a `course` action becomes an
assignment with reason `development_plan`, due on the action's target date, carrying the
action's id (so its completion can close the action)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_contracts.succession import PlanActionCreated
from talent_learning.courses.models import Course
from talent_learning.enrollments.assign import Assignment, Population, assign

log = logging.getLogger(__name__)


def assign_plan_action(session: Session, action: PlanActionCreated) -> int:
    """Enroll the action's employee; returns how many enrollments were created (0 or 1).
    Unknown or retired courses and non-course actions are logged and skipped: a retry
    would not make them valid, so they must not loop into the dead-letter topic."""
    if action.kind != "course":
        return 0
    course = session.scalars(
        select(Course).where(Course.code == (action.course_code or ""))
    ).one_or_none()
    if course is None or not course.active:
        log.warning(
            "plan action names no active course; skipped",
            extra={"action_id": str(action.action_id), "course_code": action.course_code},
        )
        return 0
    assignment = Assignment(
        course_id=course.id,
        course_code=course.code,
        reason="development_plan",
        due_on=action.target_date,
        assigned_by=f"plan:{action.plan_id}",
        plan_action_id=action.action_id,
    )
    rows = assign(session, assignment, Population(employee_ids=[action.employee_id]))
    if not rows:
        log.info(
            "plan action not assigned (employee unknown, inactive or already enrolled)",
            extra={"action_id": str(action.action_id), "employee_id": str(action.employee_id)},
        )
    return len(rows)
