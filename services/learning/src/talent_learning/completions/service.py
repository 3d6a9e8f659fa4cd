"""Completions: recording one, and reading them as the caller is allowed to."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.completions.events import enrollment_completed
from talent_learning.completions.models import Completion
from talent_learning.completions.repository import CompletionRepository
from talent_learning.courses.models import Course
from talent_learning.courses.repository import CourseRepository
from talent_learning.db import outbox
from talent_learning.enrollments.repository import EnrollmentRepository
from talent_learning.people.repository import EmployeeProjectionRepository
from talent_learning.people.service import visible_employees
from talent_platform.auth import Principal, Role
from talent_platform.errors import ErrorCollector, NotFound
from talent_platform.events import Outbox

RECORDERS = (Role.ADMIN, Role.HR_COORDINATOR)
# The earliest time zone is UTC+14: a day that has begun anywhere is not "in the future".
_EARLIEST_ZONE = dt.timedelta(hours=14)


def latest_allowed_day() -> dt.date:
    return (dt.datetime.now(dt.UTC) + _EARLIEST_ZONE).date()


@dataclass(frozen=True)
class CompletionInput:
    employee_id: uuid.UUID
    course_code: str
    completed_on: dt.date
    score: float | None = None


@dataclass(frozen=True)
class CompletionPage:
    completions: list[Completion]
    total: int


class CompletionService:
    def __init__(
        self, session: AsyncSession, principal: Principal, events: Outbox = outbox
    ) -> None:
        self.session = session
        self.principal = principal
        self.events = events
        self.completions = CompletionRepository(session)
        self.courses = CourseRepository(session)
        self.employees = EmployeeProjectionRepository(session)

    async def record(self, data: CompletionInput) -> Completion:
        """Record that an employee completed a course (admin, hr_coordinator).

        Recording the same employee, course and day again returns the stored completion
        and publishes nothing, so a retried request is harmless.
        """
        self.principal.require(*RECORDERS)
        errors = ErrorCollector()
        employee = await self.employees.get_or_none(data.employee_id)
        if employee is None:
            errors.add("input.employeeId", f"no employee {data.employee_id}")
        elif employee.status != "active":
            errors.add("input.employeeId", f"employee {employee.employee_number} is not active")
        course = await self.courses.by_code(data.course_code)
        if course is None:
            errors.add("input.courseCode", f"unknown course {data.course_code!r}")
        if data.completed_on > latest_allowed_day():
            errors.add("input.completedOn", f"{data.completed_on} is in the future")
        if data.score is not None and not 0 <= data.score <= 100:
            errors.add("input.score", f"{data.score:g} is outside 0-100")
        errors.raise_if_any()
        assert course is not None  # checked above

        completion, _created = await self.store(data, course=course, source="manual")
        return completion

    async def store(
        self, data: CompletionInput, *, course: Course, source: str
    ) -> tuple[Completion, bool]:
        """Insert a validated completion, complete the employee's open enrollment in the
        course and publish enrollment.completed; an (employee, course, day) already stored
        is returned as it is, with False."""
        created = await self.completions.insert_or_none(
            {
                "id": uuid.uuid4(),
                "employee_id": data.employee_id,
                "course_id": course.id,
                "completed_on": data.completed_on,
                "score": data.score,
                "source": source,
                "recorded_by": self.principal.subject,
            }
        )
        if created is None:
            existing = await self.completions.find(
                data.employee_id, course_id=course.id, completed_on=data.completed_on
            )
            if existing is None:  # only if it was deleted since the insert: not expected
                raise NotFound("completion", f"{data.employee_id}/{course.code}")
            return existing, False
        closed = await EnrollmentRepository(self.session).close_with_completions(
            [(created.id, created.employee_id, course.id, created.score)]
        )
        await self.session.run_sync(
            self.events.add,
            enrollment_completed(
                created, course_code=course.code, enrollment_id=closed.get(created.id)
            ),
        )
        return created, True

    async def pages(
        self, employee_ids: Collection[uuid.UUID], *, offset: int, limit: int
    ) -> dict[uuid.UUID, CompletionPage | None]:
        """The same page of completions (newest first) for each employee, or None for an
        employee the caller may not see. A fixed number of queries, whatever the count."""
        visible = await visible_employees(self.session, self.principal, employee_ids)
        rows = await self.completions.pages(visible, offset=offset, limit=limit)
        totals = await self.completions.counts(visible) if visible else {}
        return {
            employee_id: (
                CompletionPage(rows.get(employee_id, []), totals.get(employee_id, 0))
                if employee_id in visible
                else None
            )
            for employee_id in employee_ids
        }
