"""Onboarding from the hire event alone: the new hire gets the active onboarding path that
best matches their job profile and location (a path naming both beats one naming either,
which beats a path for everyone), due `target_days` after the hire date."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_learning.courses.models import Course
from talent_learning.enrollments.assign import Assignment, Population, assign
from talent_learning.paths.models import LearningPath, LearningPathStep

log = logging.getLogger(__name__)


def _onboarding_paths(session: Session) -> list[LearningPath]:
    """Active onboarding paths, the most specific first (then by code)."""
    specificity = case((LearningPath.job_profile_code.is_not(None), 2), else_=0) + case(
        (LearningPath.location.is_not(None), 1), else_=0
    )
    return list(
        session.execute(
            select(LearningPath)
            .where(LearningPath.kind == "onboarding", LearningPath.active)
            .order_by(specificity.desc(), LearningPath.code)
        ).scalars()
    )


def _best_path(paths: Sequence[LearningPath], employee: EmployeeSnapshot) -> LearningPath | None:
    for path in paths:
        if path.job_profile_code not in (None, employee.job_profile_code):
            continue
        if path.location not in (None, employee.location):
            continue
        return path
    return None


def assign_onboarding(session: Session, employees: Sequence[EmployeeSnapshot]) -> int:
    """Assign each new hire their onboarding path's courses: one INSERT ... SELECT per
    course of a path and due date, for every hire it applies to at once."""
    if not employees:
        return 0
    paths = _onboarding_paths(session)
    groups: dict[tuple[uuid.UUID, dt.date | None], list[uuid.UUID]] = {}
    by_id: dict[uuid.UUID, LearningPath] = {}
    for employee in employees:
        path = _best_path(paths, employee)
        if path is None:
            continue
        by_id[path.id] = path
        due_on = (
            employee.hire_date + dt.timedelta(days=path.target_days) if path.target_days else None
        )
        groups.setdefault((path.id, due_on), []).append(employee.employee_id)
    created = 0
    for (path_id, due_on), employee_ids in groups.items():
        path = by_id[path_id]
        courses = session.execute(
            select(Course)
            .join(LearningPathStep, LearningPathStep.course_id == Course.id)
            .where(LearningPathStep.path_id == path.id, Course.active)
            .order_by(LearningPathStep.position)
        ).scalars()
        assigned = 0
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
            assigned += len(assign(session, assignment, Population(employee_ids=employee_ids)))
        created += assigned
        log.info(
            "onboarding assigned",
            extra={
                "employees": [str(e) for e in employee_ids][:50],
                "path": path.code,
                "enrollments": assigned,
            },
        )
    return created
