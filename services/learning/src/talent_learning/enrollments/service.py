"""Assigning courses and paths, self-enrollment, and every later change of status."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentCancelled, EnrollmentStarted, EnrollmentWaived
from talent_learning.courses.models import Course
from talent_learning.courses.repository import CourseRepository
from talent_learning.db import outbox
from talent_learning.enrollments.assign import (
    Assignment,
    Population,
    assign,
)
from talent_learning.enrollments.models import OPEN_STATUSES, REASONS, DueDateChange, Enrollment
from talent_learning.enrollments.repository import EnrollmentRepository
from talent_learning.paths.models import LearningPath, LearningPathStep
from talent_learning.people.service import visible_employees
from talent_platform.auth import Principal, Role
from talent_platform.errors import Conflict, ErrorCollector, Forbidden, NotFound
from talent_platform.events import Outbox

MANAGERS_OF_ALL = (Role.ADMIN, Role.HR_COORDINATOR)
# Reasons a manager may give; compliance and onboarding come from rules and events.
MANAGER_REASONS = ("manager", "recommendation", "development_plan")


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class AssignInput:
    population: Population
    reason: str
    course_code: str | None = None
    path_code: str | None = None
    due_on: dt.date | None = None
    recommendation_id: uuid.UUID | None = None
    plan_action_id: uuid.UUID | None = None


@dataclass
class AssignResult:
    created: list[uuid.UUID] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.created)


class EnrollmentService:
    def __init__(
        self, session: AsyncSession, principal: Principal, events: Outbox = outbox
    ) -> None:
        self.session = session
        self.principal = principal
        self.events = events
        self.enrollments = EnrollmentRepository(session)
        self.courses = CourseRepository(session)

    # -- authorization ---------------------------------------------------------------
    @property
    def manages_all(self) -> bool:
        return self.principal.has_role(*MANAGERS_OF_ALL)

    async def _require_manager_of(self, employee_ids: Sequence[uuid.UUID]) -> None:
        """HR may act on anyone; a manager only on their reporting chain (not themself)."""
        if self.manages_all:
            return
        me = self.principal.employee_id
        wanted = set(employee_ids)
        if me is None or me in wanted:
            raise Forbidden("only HR or the employee's manager may do this")
        if await visible_employees(self.session, self.principal, wanted) != wanted:
            raise Forbidden("some employees are not in your reporting chain")

    # -- assigning ---------------------------------------------------------------------
    async def assign(self, data: AssignInput) -> AssignResult:
        errors = ErrorCollector()
        if (data.course_code is None) == (data.path_code is None):
            errors.add("input.courseCode", "give exactly one of courseCode and pathCode")
        if data.reason not in REASONS or data.reason == "self":
            errors.add("input.reason", f"{data.reason!r} is not an assignment reason")
        if data.reason == "recommendation" and data.recommendation_id is None:
            errors.add("input.recommendationId", "required when the reason is recommendation")
        if data.reason == "development_plan" and data.plan_action_id is None:
            errors.add("input.planActionId", "required when the reason is development_plan")
        if data.due_on is not None and data.due_on < today():
            errors.add("input.dueOn", f"{data.due_on} is in the past")
        population = data.population
        if not population.employee_ids and not population.is_rule:
            errors.add("input.employeeIds", "give employees or a population rule")
        if population.employee_ids is not None and len(population.employee_ids) > 10_000:
            errors.add("input.employeeIds", "at most 10000 employees; use a population rule")
        errors.raise_if_any()
        if not self.manages_all:
            if population.is_rule or population.employee_ids is None:
                raise Forbidden("only HR may assign to a population rule")
            if data.reason not in MANAGER_REASONS:
                raise Forbidden(f"managers assign with reasons {', '.join(MANAGER_REASONS)}")
            await self._require_manager_of(population.employee_ids)

        steps: list[tuple[Course, LearningPath | None]]
        if data.course_code is not None:
            course = await self._active_course(data.course_code, "input.courseCode")
            steps = [(course, None)]
        else:
            assert data.path_code is not None
            steps = await self._path_steps(data.path_code)
        result = AssignResult()
        for course, path in steps:
            due_on = data.due_on
            if due_on is None and path is not None and path.target_days:
                due_on = today() + dt.timedelta(days=path.target_days)
            assignment = Assignment(
                course_id=course.id,
                course_code=course.code,
                reason=data.reason,
                due_on=due_on,
                assigned_by=self.principal.subject,
                assigned_by_employee_id=self.principal.employee_id,
                recommendation_id=data.recommendation_id,
                plan_action_id=data.plan_action_id,
                path_id=path.id if path else None,
                path_code=path.code if path else None,
            )
            result.created += await self.run(assignment, population)
        return result

    async def run(self, assignment: Assignment, population: Population) -> list[uuid.UUID]:
        rows = await self.session.run_sync(assign, assignment, population)
        return [enrollment_id for enrollment_id, _, _ in rows]

    async def enroll_self(self, course_code: str) -> Enrollment:
        me = self.principal.employee_id
        if me is None:
            raise Forbidden("only an employee can enroll themself")
        course = await self._active_course(course_code, "input.courseCode")
        if not course.self_enrollment:
            raise Forbidden(f"course {course.code} does not allow self-enrollment")
        assignment = Assignment(
            course_id=course.id,
            course_code=course.code,
            reason="self",
            assigned_by=self.principal.subject,
            assigned_by_employee_id=me,
        )
        created = await self.run(assignment, Population(employee_ids=[me]))
        if not created:
            raise Conflict(f"you already have an open enrollment in {course.code}")
        return await self.enrollments.get(created[0])

    async def _active_course(self, code: str, field_name: str) -> Course:
        course = await self.courses.by_code(code)
        errors = ErrorCollector()
        if course is None:
            errors.add(field_name, f"unknown course {code!r}")
        elif not course.active:
            errors.add(field_name, f"course {code} is retired")
        errors.raise_if_any()
        assert course is not None
        return course

    async def _path_steps(self, code: str) -> list[tuple[Course, LearningPath | None]]:
        path = (
            await self.session.execute(select(LearningPath).where(LearningPath.code == code))
        ).scalar_one_or_none()
        errors = ErrorCollector()
        if path is None or not path.active:
            errors.add("input.pathCode", f"unknown or inactive path {code!r}")
        errors.raise_if_any()
        assert path is not None
        rows = await self.session.execute(
            select(Course)
            .join(LearningPathStep, LearningPathStep.course_id == Course.id)
            .where(LearningPathStep.path_id == path.id, Course.active)
            .order_by(LearningPathStep.position)
        )
        return [(course, path) for course in rows.scalars()]

    # -- changes of one enrollment -----------------------------------------------------
    async def _open(self, enrollment_id: uuid.UUID) -> tuple[Enrollment, Course]:
        enrollment = await self.enrollments.get_for_update(enrollment_id)
        if enrollment is None:
            raise NotFound("enrollment", enrollment_id)
        course = await self.courses.get(enrollment.course_id)
        return enrollment, course

    def _require_open(self, enrollment: Enrollment) -> None:
        if enrollment.status not in OPEN_STATUSES:
            raise Conflict(f"enrollment is {enrollment.status}, not open")

    async def start(self, enrollment_id: uuid.UUID) -> Enrollment:
        enrollment, course = await self._open(enrollment_id)
        if enrollment.employee_id != self.principal.employee_id and not self.manages_all:
            raise Forbidden("only the employee (or HR) starts an enrollment")
        self._require_open(enrollment)
        if enrollment.status == "in_progress":
            return enrollment
        enrollment.started_at = dt.datetime.now(dt.UTC)
        if enrollment.status == "assigned":
            enrollment.status = "in_progress"
        await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            EnrollmentStarted(
                enrollment_id=enrollment.id,
                employee_id=enrollment.employee_id,
                course_code=course.code,
            ),
        )
        return enrollment

    async def waive(self, enrollment_id: uuid.UUID, *, reason: str) -> Enrollment:
        if not reason.strip():
            errors = ErrorCollector()
            errors.add("input.reason", "a waiver needs a reason")
            errors.raise_if_any()
        enrollment, course = await self._open(enrollment_id)
        await self._require_manager_of([enrollment.employee_id])
        self._require_open(enrollment)
        self._close(enrollment, "waived", reason)
        await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            EnrollmentWaived(
                enrollment_id=enrollment.id,
                employee_id=enrollment.employee_id,
                course_code=course.code,
                reason=reason,
            ),
        )
        return enrollment

    async def cancel(self, enrollment_id: uuid.UUID, *, reason: str | None) -> Enrollment:
        enrollment, course = await self._open(enrollment_id)
        await self._require_manager_of([enrollment.employee_id])
        self._require_open(enrollment)
        self._close(enrollment, "cancelled", reason)
        await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            EnrollmentCancelled(
                enrollment_id=enrollment.id,
                employee_id=enrollment.employee_id,
                course_code=course.code,
            ),
        )
        return enrollment

    @staticmethod
    def _close(enrollment: Enrollment, status: str, reason: str | None) -> None:
        enrollment.status = status
        enrollment.status_reason = reason
        enrollment.closed_at = dt.datetime.now(dt.UTC)

    async def extend(self, enrollment_id: uuid.UUID, *, due_on: dt.date, reason: str) -> Enrollment:
        enrollment, _course = await self._open(enrollment_id)
        await self._require_manager_of([enrollment.employee_id])
        self._require_open(enrollment)
        errors = ErrorCollector()
        if enrollment.due_on is not None and due_on <= enrollment.due_on:
            errors.add("input.dueOn", f"must be after the current due date {enrollment.due_on}")
        if due_on < today():
            errors.add("input.dueOn", f"{due_on} is in the past")
        if not reason.strip():
            errors.add("input.reason", "an extension needs a reason")
        errors.raise_if_any()
        self.session.add(
            DueDateChange(
                enrollment_id=enrollment.id,
                previous_due_on=enrollment.due_on,
                new_due_on=due_on,
                reason=reason,
                changed_by=self.principal.subject,
            )
        )
        enrollment.due_on = due_on
        if enrollment.status == "overdue":
            enrollment.status = "in_progress" if enrollment.started_at else "assigned"
        await self.session.flush()
        return enrollment

    # -- reading -----------------------------------------------------------------------
    async def visible(self, employee_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        return await visible_employees(self.session, self.principal, employee_ids)
