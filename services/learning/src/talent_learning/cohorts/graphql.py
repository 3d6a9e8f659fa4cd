from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from talent_learning.cohorts.models import Cohort as CohortModel
from talent_learning.cohorts.models import CohortSession as SessionModel
from talent_learning.cohorts.service import CohortInput, CohortService, ParticipantRow, SessionInput
from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_platform.errors import FieldError, ValidationFailed
from talent_platform.graphql import (
    Conflict,
    Connection,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    page_request,
    run_mutation,
)

if TYPE_CHECKING:
    from talent_learning.people.graphql import Employee

Ctx = Info[TalentContext, None]


@strawberry.type
class CohortSession:
    id: strawberry.ID
    position: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @classmethod
    def from_model(cls, m: SessionModel) -> CohortSession:
        return cls(
            id=strawberry.ID(str(m.id)),
            position=m.position,
            title=m.title,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
        )


@strawberry.type
class CohortParticipant:
    status: str = strawberry.field(description="enrolled, completed or not_completed.")
    attended_sessions: int
    total_sessions: int
    _employee_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: ParticipantRow) -> CohortParticipant:
        return cls(
            status=row.status,
            attended_sessions=row.attended,
            total_sessions=row.sessions,
            _employee_id=row.employee_id,
        )

    @strawberry.field
    def employee(self) -> Annotated[Employee, strawberry.lazy("talent_learning.people.graphql")]:
        from talent_learning.people.graphql import Employee

        return Employee(id=strawberry.ID(str(self._employee_id)))


@strawberry.type(description="A cohort of a leadership programme (HR only).")
class Cohort:
    id: strawberry.ID
    code: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    min_attendance_percent: int
    completed_on: dt.date | None
    _course_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, m: CohortModel) -> Cohort:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            title=m.title,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            min_attendance_percent=m.min_attendance_percent,
            completed_on=m.completed_on,
            _course_id=m.course_id,
        )

    @strawberry.field(description="The programme's course: completing the cohort completes it.")
    async def course(self, info: Ctx) -> Course | None:
        return await course_by_id_loader(info).load(self._course_id)

    @strawberry.field
    async def sessions(self, info: Ctx) -> list[CohortSession]:
        service = CohortService(info.context.session, info.context.principal)
        return [CohortSession.from_model(s) for s in await service.sessions_of(uuid.UUID(self.id))]

    @strawberry.field(description="Participants with their attendance (a cohort is small).")
    async def participants(self, info: Ctx) -> list[CohortParticipant]:
        service = CohortService(info.context.session, info.context.principal)
        rows = await service.participants(uuid.UUID(self.id))
        return [CohortParticipant.from_row(r) for r in rows]


@strawberry.input
class CohortSessionInput:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@strawberry.input
class CreateCohortInput:
    code: str
    title: str
    course_code: str
    starts_on: dt.date
    ends_on: dt.date
    sessions: list[CohortSessionInput]
    min_attendance_percent: int = 80


@strawberry.input
class AddCohortParticipantsInput:
    cohort_code: str
    employee_ids: list[strawberry.ID]


@strawberry.input
class RecordAttendanceInput:
    session_id: strawberry.ID
    attendees: list[strawberry.ID] = strawberry.field(
        description="Participants present; every other participant is recorded absent."
    )


@strawberry.input
class CompleteCohortInput:
    cohort_code: str
    completed_on: dt.date


@strawberry.type
class CohortPayload:
    cohort: Cohort


CohortResult = Annotated[
    CohortPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CohortResult"),
]


def _ids(values: list[strawberry.ID], field: str) -> list[uuid.UUID]:
    parsed = []
    for i, value in enumerate(values):
        try:
            parsed.append(uuid.UUID(str(value)))
        except ValueError as exc:
            raise ValidationFailed([FieldError(f"{field}[{i}]", "not an id")]) from exc
    return parsed


@strawberry.type
class CohortQuery:
    @strawberry.field(description="Cohorts by start date (HR roles; null for others).")
    async def cohorts(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[Cohort] | None:
        if not info.context.principal.is_hr:
            return None
        service = CohortService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.cohorts.paginate(
            select(CohortModel).order_by(CohortModel.starts_on, CohortModel.code),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Cohort.from_model)

    @strawberry.field(description="One cohort by code (HR roles; null for others).")
    async def cohort(self, info: Ctx, code: str) -> Cohort | None:
        if not info.context.principal.is_hr:
            return None
        service = CohortService(info.context.session, info.context.principal)
        found = await service.cohorts.one_or_none(
            select(CohortModel).where(CohortModel.code == code)
        )
        return Cohort.from_model(found) if found else None


@strawberry.type
class CohortMutation:
    @strawberry.mutation(description="Create a cohort with its sessions (admin, hr_coordinator).")
    async def create_cohort(self, info: Ctx, input: CreateCohortInput) -> CohortResult:
        service = CohortService(info.context.session, info.context.principal)

        async def action() -> CohortPayload:
            cohort = await service.create(
                CohortInput(
                    code=input.code,
                    title=input.title,
                    course_code=input.course_code,
                    starts_on=input.starts_on,
                    ends_on=input.ends_on,
                    sessions=[
                        SessionInput(s.title, s.starts_at, s.ends_at) for s in input.sessions
                    ],
                    min_attendance_percent=input.min_attendance_percent,
                )
            )
            return CohortPayload(cohort=Cohort.from_model(cohort))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Add participants (admin, hr_coordinator); re-adding is a no-op."
    )
    async def add_cohort_participants(
        self, info: Ctx, input: AddCohortParticipantsInput
    ) -> CohortResult:
        service = CohortService(info.context.session, info.context.principal)

        async def action() -> CohortPayload:
            await service.add_participants(
                input.cohort_code, _ids(input.employee_ids, "input.employeeIds")
            )
            return CohortPayload(cohort=Cohort.from_model(await service.get(input.cohort_code)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Record who attended a session (admin, hr_coordinator).")
    async def record_attendance(self, info: Ctx, input: RecordAttendanceInput) -> CohortResult:
        service = CohortService(info.context.session, info.context.principal)

        async def action() -> CohortPayload:
            session_id = _ids([input.session_id], "input.sessionId")[0]
            found = await service.record_attendance(
                session_id, _ids(input.attendees, "input.attendees")
            )
            cohort = await service.cohorts.get(found.cohort_id)
            return CohortPayload(cohort=Cohort.from_model(cohort))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Complete the programme (admin, hr_coordinator): participants who attended "
        "at least minAttendancePercent of the sessions get a completion of its course."
    )
    async def complete_cohort(self, info: Ctx, input: CompleteCohortInput) -> CohortResult:
        service = CohortService(info.context.session, info.context.principal)

        async def action() -> CohortPayload:
            await service.complete(input.cohort_code, completed_on=input.completed_on)
            return CohortPayload(cohort=Cohort.from_model(await service.get(input.cohort_code)))

        return await run_mutation(info.context, action)
