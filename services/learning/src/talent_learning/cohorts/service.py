"""Running a cohort (admin, hr_coordinator): create it with its sessions, add
participants, record attendance per session, complete the programme."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.cohorts.models import (
    Cohort,
    CohortParticipant,
    CohortSession,
    SessionAttendance,
)
from talent_learning.completions.service import CompletionInput, CompletionService
from talent_learning.courses.repository import CourseRepository
from talent_learning.people.models import EmployeeProjection
from talent_platform.auth import Principal, Role
from talent_platform.db import Repository
from talent_platform.errors import Conflict, ErrorCollector, NotFound

COHORT_MANAGERS = (Role.ADMIN, Role.HR_COORDINATOR)


class CohortRepository(Repository[Cohort]):
    model = Cohort
    entity_name = "cohort"


@dataclass(frozen=True)
class SessionInput:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class CohortInput:
    code: str
    title: str
    course_code: str
    starts_on: dt.date
    ends_on: dt.date
    sessions: Sequence[SessionInput]
    min_attendance_percent: int = 80


@dataclass(frozen=True)
class ParticipantRow:
    employee_id: uuid.UUID
    status: str
    attended: int
    sessions: int


class CohortService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.cohorts = CohortRepository(session)

    async def get(self, code: str) -> Cohort:
        found = await self.cohorts.one_or_none(select(Cohort).where(Cohort.code == code))
        if found is None:
            raise NotFound("cohort", code)
        return found

    async def create(self, data: CohortInput) -> Cohort:
        self.principal.require(*COHORT_MANAGERS)
        errors = ErrorCollector()
        if not 0 < len(data.code.strip()) <= 100:
            errors.add("input.code", "1-100 characters")
        if data.ends_on < data.starts_on:
            errors.add("input.endsOn", "before startsOn")
        if not 0 <= data.min_attendance_percent <= 100:
            errors.add("input.minAttendancePercent", "0-100")
        if not data.sessions:
            errors.add("input.sessions", "a cohort needs at least one session")
        for i, s in enumerate(data.sessions):
            if s.starts_at.tzinfo is None or s.ends_at.tzinfo is None:
                errors.add(f"input.sessions[{i}].startsAt", "times need a time zone")
            elif s.ends_at <= s.starts_at:
                errors.add(f"input.sessions[{i}].endsAt", "must be after startsAt")
        course = await CourseRepository(self.session).by_code(data.course_code)
        if course is None:
            errors.add("input.courseCode", f"unknown course {data.course_code!r}")
        errors.raise_if_any()
        assert course is not None
        if await self.cohorts.one_or_none(select(Cohort).where(Cohort.code == data.code)):
            raise Conflict(f"cohort {data.code} exists")
        cohort = await self.cohorts.create(
            Cohort(
                code=data.code,
                title=data.title,
                course_id=course.id,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                min_attendance_percent=data.min_attendance_percent,
            )
        )
        self.session.add_all(
            CohortSession(
                cohort_id=cohort.id,
                position=i + 1,
                title=s.title,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
            )
            for i, s in enumerate(sorted(data.sessions, key=lambda s: s.starts_at))
        )
        await self.session.flush()
        return cohort

    async def add_participants(self, code: str, employee_ids: Sequence[uuid.UUID]) -> int:
        self.principal.require(*COHORT_MANAGERS)
        cohort = await self.get(code)
        known = set(
            (
                await self.session.execute(
                    select(EmployeeProjection.employee_id).where(
                        EmployeeProjection.employee_id.in_(list(employee_ids)),
                        EmployeeProjection.status == "active",
                    )
                )
            ).scalars()
        )
        errors = ErrorCollector()
        for i, employee_id in enumerate(employee_ids):
            if employee_id not in known:
                errors.add(f"input.employeeIds[{i}]", f"no active employee {employee_id}")
        errors.raise_if_any()
        rows = (
            await self.session.execute(
                insert(CohortParticipant)
                .values([{"cohort_id": cohort.id, "employee_id": e} for e in employee_ids])
                .on_conflict_do_nothing()
                .returning(CohortParticipant.employee_id)
            )
        ).all()
        return len(rows)

    async def record_attendance(
        self, session_id: uuid.UUID, attendees: Sequence[uuid.UUID]
    ) -> CohortSession:
        """Participants listed attended the session, every other participant did not
        (recording a session again replaces its attendance)."""
        self.principal.require(*COHORT_MANAGERS)
        found = await self.session.get(CohortSession, session_id)
        if found is None:
            raise NotFound("cohort session", session_id)
        participants = set(
            (
                await self.session.execute(
                    select(CohortParticipant.employee_id).where(
                        CohortParticipant.cohort_id == found.cohort_id
                    )
                )
            ).scalars()
        )
        errors = ErrorCollector()
        for i, employee_id in enumerate(attendees):
            if employee_id not in participants:
                errors.add(f"input.attendees[{i}]", "not a participant of this cohort")
        errors.raise_if_any()
        present = set(attendees)
        if participants:
            statement = insert(SessionAttendance).values(
                [
                    {"session_id": session_id, "employee_id": e, "attended": e in present}
                    for e in sorted(participants)
                ]
            )
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["session_id", "employee_id"],
                    set_={"attended": statement.excluded.attended},
                )
            )
        return found

    async def participants(self, cohort_id: uuid.UUID) -> list[ParticipantRow]:
        sessions = (
            select(func.count())
            .select_from(CohortSession)
            .where(CohortSession.cohort_id == cohort_id)
            .scalar_subquery()
        )
        attended = (
            select(func.count())
            .select_from(SessionAttendance)
            .join(CohortSession, CohortSession.id == SessionAttendance.session_id)
            .where(
                CohortSession.cohort_id == cohort_id,
                SessionAttendance.employee_id == CohortParticipant.employee_id,
                SessionAttendance.attended,
            )
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(
                CohortParticipant.employee_id,
                CohortParticipant.status,
                cast(attended, Integer),
                cast(sessions, Integer),
            )
            .where(CohortParticipant.cohort_id == cohort_id)
            .order_by(CohortParticipant.employee_id)
        )
        return [ParticipantRow(e, s, a, n) for e, s, a, n in rows.all()]

    async def complete(self, code: str, *, completed_on: dt.date) -> list[ParticipantRow]:
        """Participants who attended at least the minimum share of sessions complete the
        programme (a completion of its course, source `cohort`); the others do not."""
        self.principal.require(*COHORT_MANAGERS)
        cohort = await self.get(code)
        if cohort.completed_on is not None:
            raise Conflict(f"cohort {code} was completed on {cohort.completed_on}")
        course = await CourseRepository(self.session).get(cohort.course_id)
        completions = CompletionService(self.session, self.principal)
        result = []
        for row in await self.participants(cohort.id):
            share = 100 * row.attended / row.sessions if row.sessions else 0
            passed = share >= cohort.min_attendance_percent
            completion_id = None
            if passed:
                completion, _ = await completions.store(
                    CompletionInput(
                        employee_id=row.employee_id,
                        course_code=course.code,
                        completed_on=completed_on,
                    ),
                    course=course,
                    source="cohort",
                )
                completion_id = completion.id
            status = "completed" if passed else "not_completed"
            await self.session.execute(
                update(CohortParticipant)
                .where(
                    CohortParticipant.cohort_id == cohort.id,
                    CohortParticipant.employee_id == row.employee_id,
                )
                .values(status=status, completion_id=completion_id)
            )
            result.append(ParticipantRow(row.employee_id, status, row.attended, row.sessions))
        cohort.completed_on = completed_on
        await self.session.flush()
        return result

    async def sessions_of(self, cohort_id: uuid.UUID) -> list[CohortSession]:
        rows = await self.session.execute(
            select(CohortSession)
            .where(CohortSession.cohort_id == cohort_id)
            .order_by(CohortSession.position)
        )
        return list(rows.scalars())
