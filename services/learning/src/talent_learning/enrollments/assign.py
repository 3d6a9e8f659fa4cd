"""Set-based assignment: one INSERT ... SELECT over learning's employee projection, so
assigning a course to 100,000 people is one statement, not a Python loop.

`assign` runs the statement and writes an `enrollment.assigned` per enrollment created,
on a sync session: the event consumers and the scheduled sweep call it directly, the API
through `AsyncSession.run_sync` (ADR 0007).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Insert,
    Interval,
    Update,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.learning import EnrollmentAssigned
from talent_learning.completions.models import Completion
from talent_learning.db import outbox
from talent_learning.enrollments.models import OPEN_STATUSES, Enrollment
from talent_learning.people.models import EmployeeProjection as Employee


@dataclass(frozen=True)
class Population:
    """Who: explicit employee ids and/or attributes; every given field must match."""

    employee_ids: Sequence[uuid.UUID] | None = None
    org_unit_code: str | None = None
    location: str | None = None
    job_profile_code: str | None = None
    hired_from: dt.date | None = None
    hired_to: dt.date | None = None

    @property
    def is_rule(self) -> bool:
        return any(
            v is not None
            for v in (
                self.org_unit_code,
                self.location,
                self.job_profile_code,
                self.hired_from,
                self.hired_to,
            )
        )

    def where(self) -> list[ColumnElement[bool]]:
        """Active employees matching every given attribute."""
        clauses: list[ColumnElement[bool]] = [Employee.status == "active"]
        if self.employee_ids is not None:
            clauses.append(Employee.employee_id.in_(list(self.employee_ids)))
        if self.org_unit_code is not None:
            clauses.append(Employee.org_unit_code == self.org_unit_code)
        if self.location is not None:
            clauses.append(Employee.location == self.location)
        if self.job_profile_code is not None:
            clauses.append(Employee.job_profile_code == self.job_profile_code)
        if self.hired_from is not None:
            clauses.append(Employee.hire_date >= self.hired_from)
        if self.hired_to is not None:
            clauses.append(Employee.hire_date <= self.hired_to)
        return clauses


@dataclass(frozen=True)
class Assignment:
    """What: one course, why, and by when.

    `due_on` is a fixed date; otherwise `due_days_after` counts from the later of the
    employee's hire date and `due_from` (a rule's start), or from the expiry of the
    employee's latest certification when `recertify_months` is set and they hold one.
    """

    course_id: uuid.UUID
    course_code: str
    reason: str
    due_on: dt.date | None = None
    due_days_after: int | None = None
    due_from: dt.date | None = None
    assigned_by: str | None = None
    assigned_by_employee_id: uuid.UUID | None = None
    recommendation_id: uuid.UUID | None = None
    plan_action_id: uuid.UUID | None = None
    path_id: uuid.UUID | None = None
    path_code: str | None = None
    rule_id: uuid.UUID | None = None
    rule_code: str | None = None
    # Compliance: skip people whose certification is valid beyond `valid_after`.
    recertify_months: int | None = None
    only_uncertified: bool = False
    valid_after: dt.date | None = None


def add_months(day: Any, months: Any) -> ColumnElement[dt.date]:
    """`day` plus `months` (a column or an int), as a date."""
    return cast(day + func.make_interval(0, months, type_=Interval), Date)


# The partial unique index's predicate, values inline: PostgreSQL matches ON CONFLICT to
# a partial index while planning, and once psycopg has prepared a statement (after five
# runs on one connection) a generic plan keeps bound values as parameters it cannot match
# ("no unique or exclusion constraint matching the ON CONFLICT specification").
OPEN_INDEX_PREDICATE = text(
    "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
)


def open_status() -> ColumnElement[bool]:
    return Enrollment.status.in_(OPEN_STATUSES)


def _latest_completion(assignment: Assignment) -> ColumnElement[dt.date]:
    return (
        select(func.max(Completion.completed_on))
        .where(
            Completion.employee_id == Employee.employee_id,
            Completion.course_id == assignment.course_id,
        )
        .scalar_subquery()
    )


def _due(assignment: Assignment) -> ColumnElement[Any]:
    if assignment.due_on is not None:
        return literal(assignment.due_on, Date)
    if assignment.due_days_after is None:
        return null()
    start: ColumnElement[dt.date] = func.coalesce(Employee.hire_date, func.current_date())
    if assignment.due_from is not None:
        start = func.greatest(start, literal(assignment.due_from, Date))
    first_due = cast(start + assignment.due_days_after, Date)
    if assignment.recertify_months is None:
        return first_due
    return func.coalesce(
        add_months(_latest_completion(assignment), assignment.recertify_months), first_due
    )


def assign_statement(assignment: Assignment, population: Population) -> Insert:
    """INSERT ... SELECT one enrollment per matching employee without an open one for the
    course; RETURNING (id, employee_id, due_on) of those created."""
    clauses = population.where()
    if assignment.only_uncertified:
        certified = select(Completion.id).where(
            Completion.employee_id == Employee.employee_id,
            Completion.course_id == assignment.course_id,
        )
        if assignment.recertify_months is not None:
            horizon = assignment.valid_after or dt.date.today()
            certified = certified.where(
                add_months(Completion.completed_on, assignment.recertify_months) > horizon
            )
        clauses.append(~certified.exists())
    has_open = (
        select(Enrollment.id)
        .where(
            Enrollment.employee_id == Employee.employee_id,
            Enrollment.course_id == assignment.course_id,
            open_status(),
        )
        .exists()
    )
    clauses.append(~has_open)
    now = func.now()
    source = select(
        func.gen_random_uuid(),
        Employee.employee_id,
        literal(assignment.course_id),
        literal("assigned"),
        literal(assignment.reason),
        _due(assignment),
        literal(assignment.assigned_by),
        literal(assignment.recommendation_id),
        literal(assignment.plan_action_id),
        literal(assignment.path_id),
        literal(assignment.rule_id),
        now,
        now,
    ).where(and_(*clauses))
    return (
        insert(Enrollment)
        .from_select(
            [
                "id",
                "employee_id",
                "course_id",
                "status",
                "reason",
                "due_on",
                "assigned_by",
                "recommendation_id",
                "plan_action_id",
                "path_id",
                "rule_id",
                "created_at",
                "updated_at",
            ],
            source,
        )
        .on_conflict_do_nothing(
            index_elements=["employee_id", "course_id"], index_where=OPEN_INDEX_PREDICATE
        )
        .returning(Enrollment.id, Enrollment.employee_id, Enrollment.due_on)
    )


def assigned_events(
    assignment: Assignment, rows: Iterable[tuple[uuid.UUID, uuid.UUID, dt.date | None]]
) -> list[EnrollmentAssigned]:
    return [
        EnrollmentAssigned(
            enrollment_id=enrollment_id,
            employee_id=employee_id,
            course_code=assignment.course_code,
            due_on=due_on,
            reason=assignment.reason,
            recommendation_id=assignment.recommendation_id,
            plan_action_id=assignment.plan_action_id,
            path_code=assignment.path_code,
            rule_code=assignment.rule_code,
            assigned_by=assignment.assigned_by_employee_id,
        )
        for enrollment_id, employee_id, due_on in rows
    ]


AssignedRow = tuple[uuid.UUID, uuid.UUID, dt.date | None]
"""A created enrollment: (id, employee id, due date)."""


def assign(session: Session, assignment: Assignment, population: Population) -> list[AssignedRow]:
    """Enroll the population (`assign_statement`) and write an `enrollment.assigned` for
    each enrollment created, in the session's transaction; returns what was created.

    The one way anything assigns a course: a manager or HR through the API
    (`EnrollmentService`, via `run_sync`), compliance rules, onboarding paths and
    development-plan actions."""
    rows: list[AssignedRow] = [
        (r[0], r[1], r[2]) for r in session.execute(assign_statement(assignment, population))
    ]
    outbox.add(session, *assigned_events(assignment, rows))
    return rows


def mark_overdue_statement(today: dt.date) -> Update:
    """Open enrollments whose due date has passed become overdue (RETURNING them)."""
    return (
        update(Enrollment)
        .where(
            Enrollment.status.in_(("assigned", "in_progress")),
            Enrollment.due_on < today,
        )
        .values(status="overdue", updated_at=func.now())
        .returning(Enrollment.id, Enrollment.employee_id, Enrollment.course_id, Enrollment.due_on)
    )


__all__ = [
    "AssignedRow",
    "Assignment",
    "Population",
    "add_months",
    "assign",
    "assign_statement",
    "assigned_events",
    "mark_overdue_statement",
]
