"""Onboarding from the hire event alone: the new hire gets the active onboarding path that
best matches their job profile and location (a path naming both beats one naming either,
which beats a path for everyone), due `target_days` after the hire date."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_learning.courses.models import Course
from talent_learning.db import outbox
from talent_learning.enrollments.assign import (
    Assignment,
    Population,
    assign_statement,
    assigned_events,
)
from talent_learning.paths.models import LearningPath, LearningPathStep

log = logging.getLogger(__name__)


def onboarding_path_for(session: Session, employee: EmployeeSnapshot) -> LearningPath | None:
    specificity = case((LearningPath.job_profile_code.is_not(None), 2), else_=0) + case(
        (LearningPath.location.is_not(None), 1), else_=0
    )
    return session.execute(
        select(LearningPath)
        .where(
            LearningPath.kind == "onboarding",
            LearningPath.active,
            or_(
                LearningPath.job_profile_code.is_(None),
                LearningPath.job_profile_code == employee.job_profile_code,
            ),
            or_(LearningPath.location.is_(None), LearningPath.location == employee.location),
        )
        .order_by(specificity.desc(), LearningPath.code)
        .limit(1)
    ).scalar_one_or_none()


def assign_onboarding_sync(session: Session, employee: EmployeeSnapshot) -> int:
    path = onboarding_path_for(session, employee)
    if path is None:
        return 0
    due_on = employee.hire_date + dt.timedelta(days=path.target_days) if path.target_days else None
    courses = session.execute(
        select(Course)
        .join(LearningPathStep, LearningPathStep.course_id == Course.id)
        .where(LearningPathStep.path_id == path.id, Course.active)
        .order_by(LearningPathStep.position)
    ).scalars()
    created = 0
    for course in courses:
        assignment = Assignment(
            course_id=course.id,
            course_code=course.code,
            reason="onboarding",
            due_on=due_on,
            assigned_by=f"path:{path.code}",
            path_id=path.id,
            path_code=path.code,
        )
        rows = session.execute(
            assign_statement(assignment, Population(employee_ids=[employee.employee_id]))
        ).all()
        outbox.add_sync(session, *assigned_events(assignment, [tuple(r) for r in rows]))
        created += len(rows)
    log.info(
        "onboarding assigned",
        extra={"employee_id": str(employee.employee_id), "path": path.code, "enrollments": created},
    )
    return created
