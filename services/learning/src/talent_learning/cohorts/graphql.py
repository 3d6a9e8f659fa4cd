from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from talent_learning.cohorts.models import Cohort as CohortModel
from talent_learning.cohorts.models import CohortSession as SessionModel
from talent_learning.cohorts.service import CohortInput, CohortService, ParticipantRow, SessionInput
from talent_learning.courses.graphql import Course, course_by_id_loader
from talent_platform.errors import FieldError, ValidationFailed
from talent_platform.errors import Forbidden as Refused
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    enum_value,
    page_request,
    run_mutation,
)

if TYPE_CHECKING:
    from talent_learning.people.graphql import Employee

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Where a participant of a cohort stands.")
class CohortParticipantStatus(Enum):
    ENROLLED = enum_value("enrolled", description="Taking part; the cohort is not completed yet.")
    COMPLETED = enum_value(
        "completed",
        description="Attended at least minAttendancePercent of the sessions when the cohort "
        "was completed, and got a completion of its course.",
    )
    NOT_COMPLETED = enum_value(
        "not_completed",
        description="Attended less than minAttendancePercent of the sessions when the cohort "
        "was completed.",
    )


@strawberry.type(description="One session of a cohort.")
class CohortSession:
    id: strawberry.ID = strawberry.field(description="Session id (UUID), for `recordAttendance`.")
    position: int = strawberry.field(description="1 for the earliest session, then by start.")
    title: str = strawberry.field(description="Title of the session.")
    starts_at: dt.datetime = strawberry.field(description="Start (ISO date-time with offset).")
    ends_at: dt.datetime = strawberry.field(description="End (ISO date-time with offset).")

    @classmethod
    def from_model(cls, m: SessionModel) -> CohortSession:
        return cls(
            id=strawberry.ID(str(m.id)),
            position=m.position,
            title=m.title,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
        )


@strawberry.type(description="A participant of a cohort, with their attendance.")
class CohortParticipant:
    status: CohortParticipantStatus = strawberry.field(
        description="ENROLLED until the cohort is completed, then COMPLETED or NOT_COMPLETED."
    )
    attended_sessions: int = strawberry.field(
        description="Sessions recorded as attended by this participant."
    )
    total_sessions: int = strawberry.field(description="Sessions the cohort has.")
    _employee_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: ParticipantRow) -> CohortParticipant:
        return cls(
            status=CohortParticipantStatus(row.status),
            attended_sessions=row.attended,
            total_sessions=row.sessions,
            _employee_id=row.employee_id,
        )

    @strawberry.field(description="The participant.")
    def employee(self) -> Annotated[Employee, strawberry.lazy("talent_learning.people.graphql")]:
        from talent_learning.people.graphql import Employee

        return Employee(id=strawberry.ID(str(self._employee_id)))


@strawberry.type(description="A cohort of a leadership programme (HR only).")
class Cohort:
    id: strawberry.ID = strawberry.field(description="Cohort id (UUID).")
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    title: str = strawberry.field(description="Title of the cohort.")
    starts_on: dt.date = strawberry.field(description="First day of the programme (ISO date).")
    ends_on: dt.date = strawberry.field(description="Last day of the programme (ISO date).")
    min_attendance_percent: int = strawberry.field(
        description="Share of the sessions (0-100 %) a participant must attend to complete."
    )
    completed_on: dt.date | None = strawberry.field(
        description="Day `completeCohort` completed it (ISO date); null until then."
    )
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

    @strawberry.field(description="The sessions, earliest first.")
    async def sessions(self, info: Ctx) -> list[CohortSession]:
        service = CohortService(info.context.session, info.context.principal)
        return [CohortSession.from_model(s) for s in await service.sessions_of(uuid.UUID(self.id))]

    @strawberry.field(description="Participants with their attendance (a cohort is small).")
    async def participants(self, info: Ctx) -> list[CohortParticipant]:
        service = CohortService(info.context.session, info.context.principal)
        rows = await service.participants(uuid.UUID(self.id))
        return [CohortParticipant.from_row(r) for r in rows]


@strawberry.input(description="One session of a new cohort.")
class CohortSessionInput:
    title: str = strawberry.field(description="Title of the session.")
    starts_at: dt.datetime = strawberry.field(
        description="Start, an ISO date-time with a time zone (required)."
    )
    ends_at: dt.datetime = strawberry.field(description="End, with a time zone; after `startsAt`.")


@strawberry.input(description="A new cohort with its sessions.")
class CreateCohortInput:
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    title: str = strawberry.field(description="Title of the cohort.")
    course_code: str = strawberry.field(
        description="The programme's course: participants who complete get a completion of it."
    )
    starts_on: dt.date = strawberry.field(description="First day (ISO date).")
    ends_on: dt.date = strawberry.field(description="Last day (ISO date), not before startsOn.")
    sessions: list[CohortSessionInput] = strawberry.field(
        description="At least one; numbered by start time."
    )
    min_attendance_percent: int = strawberry.field(
        default=80, description="Share of sessions (0-100 %) needed to complete; 80 by default."
    )


@strawberry.input(description="Employees to add to a cohort.")
class AddCohortParticipantsInput:
    cohort_code: str = strawberry.field(description="The cohort's code.")
    employee_ids: list[strawberry.ID] = strawberry.field(
        description="Active employees; those already in the cohort are left as they are."
    )


@strawberry.input(description="Who attended one session.")
class RecordAttendanceInput:
    session_id: strawberry.ID = strawberry.field(
        description="`CohortSession.id`; recording it again replaces its attendance."
    )
    attendees: list[strawberry.ID] = strawberry.field(
        description="Participants present; every other participant is recorded absent."
    )


@strawberry.input(description="The cohort to complete, and when.")
class CompleteCohortInput:
    cohort_code: str = strawberry.field(
        description="The cohort's code; a completed cohort answers CONFLICT."
    )
    completed_on: dt.date = strawberry.field(
        description="Completion day (ISO date), also the day of the course completions."
    )


@strawberry.type(description="A cohort as the mutation left it.")
class CohortPayload:
    cohort: Cohort = strawberry.field(description="The cohort after the change.")


CohortResult = Annotated[
    CohortPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CohortResult", description="The cohort, or why nothing was changed."),
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
        self, info: Ctx, first: First = None, after: After = None
    ) -> Connection[Cohort] | None:
        if not info.context.principal.is_hr:
            raise Refused("cohorts are for HR")
        service = CohortService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await service.cohorts.paginate(
            select(CohortModel).order_by(CohortModel.starts_on, CohortModel.code),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Cohort.from_model)

    @strawberry.field(description="One cohort by code (HR roles; null for others).")
    async def cohort(
        self,
        info: Ctx,
        code: Annotated[str, strawberry.argument(description="The cohort's code, exact.")],
    ) -> Cohort | None:
        if not info.context.principal.is_hr:
            raise Refused("cohorts are for HR")
        service = CohortService(info.context.session, info.context.principal)
        found = await service.cohorts.one_or_none(
            select(CohortModel).where(CohortModel.code == code)
        )
        return Cohort.from_model(found) if found else None


@strawberry.type
class CohortMutation:
    @strawberry.mutation(description="Create a cohort with its sessions (admin, hr_coordinator).")
    async def create_cohort(
        self,
        info: Ctx,
        input: Annotated[CreateCohortInput, strawberry.argument(description="The new cohort.")],
    ) -> CohortResult:
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
        self,
        info: Ctx,
        input: Annotated[
            AddCohortParticipantsInput,
            strawberry.argument(description="The cohort and the employees."),
        ],
    ) -> CohortResult:
        service = CohortService(info.context.session, info.context.principal)

        async def action() -> CohortPayload:
            await service.add_participants(
                input.cohort_code, _ids(input.employee_ids, "input.employeeIds")
            )
            return CohortPayload(cohort=Cohort.from_model(await service.get(input.cohort_code)))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Record who attended a session (admin, hr_coordinator).")
    async def record_attendance(
        self,
        info: Ctx,
        input: Annotated[
            RecordAttendanceInput, strawberry.argument(description="The session and who came.")
        ],
    ) -> CohortResult:
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
    async def complete_cohort(
        self,
        info: Ctx,
        input: Annotated[
            CompleteCohortInput, strawberry.argument(description="The cohort and the day.")
        ],
    ) -> CohortResult:
        service = CohortService(info.context.session, info.context.principal)

        async def action() -> CohortPayload:
            await service.complete(input.cohort_code, completed_on=input.completed_on)
            return CohortPayload(cohort=Cohort.from_model(await service.get(input.cohort_code)))

        return await run_mutation(info.context, action)
