"""The worker's scheduled sweep: compliance assignments (new members of a population,
recertifications before expiry), overdue enrollments and reminders. Each step is one
set-based statement; reminders are recorded in `reminder` so each is published once."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, aliased

from talent_contracts.learning import (
    CertificationExpiring,
    EnrollmentDueSoon,
    EnrollmentOverdue,
)
from talent_learning.completions.models import Completion
from talent_learning.compliance.rules import apply_rules
from talent_learning.config import LearningSettings
from talent_learning.courses.models import Course
from talent_learning.db import outbox
from talent_learning.enrollments.assign import add_months, mark_overdue_statement
from talent_learning.enrollments.models import Enrollment, Reminder
from talent_learning.people.models import EmployeeProjection as Employee


@dataclass
class SweepResult:
    assigned: int = 0
    overdue: int = 0
    due_soon: int = 0
    expiring: int = 0


def _managers(session: Session, employee_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID | None]:
    if not employee_ids:
        return {}
    rows = session.execute(
        select(Employee.employee_id, Employee.manager_id).where(
            Employee.employee_id.in_(employee_ids)
        )
    )
    return {e: m for e, m in rows.all()}


def _course_codes(session: Session, course_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not course_ids:
        return {}
    rows = session.execute(select(Course.id, Course.code).where(Course.id.in_(course_ids)))
    return {i: c for i, c in rows.all()}


def sweep(session: Session, settings: LearningSettings, *, today: dt.date) -> SweepResult:
    result = SweepResult()
    result.assigned = apply_rules(session, today=today, lead_days=settings.recertify_lead_days)

    overdue = session.execute(mark_overdue_statement(today)).all()
    managers = _managers(session, {r.employee_id for r in overdue})
    codes = _course_codes(session, {r.course_id for r in overdue})
    outbox.add(
        session,
        *(
            EnrollmentOverdue(
                enrollment_id=r.id,
                employee_id=r.employee_id,
                course_code=codes[r.course_id],
                due_on=r.due_on,
                manager_id=managers.get(r.employee_id),
            )
            for r in overdue
        ),
    )
    result.overdue = len(overdue)

    horizon = today + dt.timedelta(days=settings.due_soon_days)
    due_soon = (
        session.execute(
            insert(Reminder)
            .from_select(
                ["kind", "subject_id"],
                select(literal("due_soon"), Enrollment.id).where(
                    Enrollment.status.in_(("assigned", "in_progress")),
                    Enrollment.due_on.between(today, horizon),
                ),
            )
            .on_conflict_do_nothing()
            .returning(Reminder.subject_id)
        )
        .scalars()
        .all()
    )
    if due_soon:
        soon = session.execute(
            select(
                Enrollment.id,
                Enrollment.employee_id,
                Enrollment.due_on,
                Course.code,
                Employee.manager_id,
            )
            .join(Course, Course.id == Enrollment.course_id)
            .outerjoin(Employee, Employee.employee_id == Enrollment.employee_id)
            .where(Enrollment.id.in_(due_soon))
        ).all()
        outbox.add(
            session,
            *(
                EnrollmentDueSoon(
                    enrollment_id=r[0],
                    employee_id=r[1],
                    due_on=r[2],
                    course_code=r[3],
                    manager_id=r[4],
                )
                for r in soon
            ),
        )
    result.due_soon = len(due_soon)

    # Latest completion per employee and course of courses that expire, expiring soon.
    newer = aliased(Completion)
    valid_until = add_months(Completion.completed_on, Course.recertify_months)
    expiring_horizon = today + dt.timedelta(days=settings.certification_expiring_days)
    expiring = (
        session.execute(
            insert(Reminder)
            .from_select(
                ["kind", "subject_id"],
                select(literal("certification_expiring"), Completion.id)
                .join(Course, Course.id == Completion.course_id)
                .where(
                    Course.recertify_months.is_not(None),
                    valid_until.between(today, expiring_horizon),
                    ~select(newer.id)
                    .where(
                        and_(
                            newer.employee_id == Completion.employee_id,
                            newer.course_id == Completion.course_id,
                            newer.completed_on > Completion.completed_on,
                        )
                    )
                    .exists(),
                ),
            )
            .on_conflict_do_nothing()
            .returning(Reminder.subject_id)
        )
        .scalars()
        .all()
    )
    if expiring:
        rows = session.execute(
            select(
                Completion.id,
                Completion.employee_id,
                Completion.completed_on,
                valid_until,
                Course.code,
                Employee.manager_id,
            )
            .join(Course, Course.id == Completion.course_id)
            .outerjoin(Employee, Employee.employee_id == Completion.employee_id)
            .where(Completion.id.in_(expiring))
        ).all()
        outbox.add(
            session,
            *(
                CertificationExpiring(
                    completion_id=r[0],
                    employee_id=r[1],
                    completed_on=r[2],
                    valid_until=r[3],
                    course_code=r[4],
                    manager_id=r[5],
                )
                for r in rows
            ),
        )
    result.expiring = len(expiring)
    return result
