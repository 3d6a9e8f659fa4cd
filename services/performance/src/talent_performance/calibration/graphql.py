from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_performance.calibration.models import CalibrationMember as MemberModel
from talent_performance.calibration.models import CalibrationSession as SessionModel
from talent_performance.calibration.service import (
    CalibratedEmployee as CalibratedModel,
)
from talent_performance.calibration.service import (
    CalibrationService,
    NewSession,
    distribution_of,
)
from talent_performance.cycles.graphql import ReviewCycle, cycle_loader
from talent_performance.people.graphql import Employee, parse_id
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

Ctx = Info[TalentContext, None]


@strawberry.type(description="How many employees have each rating (1-5).")
class RatingCount:
    rating: int
    count: int


@strawberry.type(description="Share of employees (0-1) a rating should have: guidance only.")
class RatingShare:
    rating: int
    share: float


@strawberry.type
class RatingDistribution:
    before: list[RatingCount] = strawberry.field(description="The managers' ratings.")
    after: list[RatingCount] = strawberry.field(description="After calibration so far.")
    target: list[RatingShare] | None = strawberry.field(
        description="The optional target distribution, never enforced."
    )


@strawberry.type(description="An employee in a calibration session.")
class CalibratedEmployee:
    employee: Employee
    manager_rating: int | None = strawberry.field(description="The submitted manager rating.")
    calibrated_rating: int | None = strawberry.field(description="Set by an adjustment.")
    final_rating: int | None
    reason: str | None = strawberry.field(description="Why it was adjusted.")

    @classmethod
    def of(cls, e: CalibratedModel) -> CalibratedEmployee:
        return cls(
            employee=Employee(id=strawberry.ID(str(e.employee_id))),
            manager_rating=e.manager_rating,
            calibrated_rating=e.calibrated_rating,
            final_rating=e.final_rating,
            reason=e.reason,
        )


@strawberry.type(description="A calibration member: `facilitator` or `participant`.")
class CalibrationMember:
    employee: Employee
    role: str


@strawberry.type(description="A calibration session (visible to its members and HR).")
class CalibrationSession:
    id: strawberry.ID
    name: str
    status: str = strawberry.field(description="open or closed.")
    closed_at: dt.datetime | None
    _cycle_id: strawberry.Private[uuid.UUID]
    _id: strawberry.Private[uuid.UUID]
    _target: strawberry.Private[dict[str, float] | None]

    @classmethod
    def from_model(cls, m: SessionModel) -> CalibrationSession:
        return cls(
            id=strawberry.ID(str(m.id)),
            name=m.name,
            status=m.status,
            closed_at=m.closed_at,
            _cycle_id=m.cycle_id,
            _id=m.id,
            _target=m.target_distribution,
        )

    @strawberry.field
    async def cycle(self, info: Ctx) -> ReviewCycle:
        found = await cycle_loader(info).load(self._cycle_id)
        if found is None:
            raise RuntimeError(f"cycle {self._cycle_id} of session {self.id} is missing")
        return found

    @strawberry.field
    async def members(self, info: Ctx) -> list[CalibrationMember]:
        found = await members_loader(info).load(self._id)
        return [
            CalibrationMember(employee=Employee(id=strawberry.ID(str(m.member_id))), role=m.role)
            for m in sorted(found, key=lambda m: (m.role, str(m.member_id)))
        ]

    @strawberry.field(description="The employees calibrated, with ratings before and after.")
    async def employees(self, info: Ctx) -> list[CalibratedEmployee]:
        found = await entries_loader(info).load((self._id, self._cycle_id))
        return [CalibratedEmployee.of(e) for e in found]

    @strawberry.field
    async def distribution(self, info: Ctx) -> RatingDistribution:
        found = distribution_of(
            await entries_loader(info).load((self._id, self._cycle_id)), self._target
        )
        return RatingDistribution(
            before=[RatingCount(rating=r, count=n) for r, n in found.before.items()],
            after=[RatingCount(rating=r, count=n) for r, n in found.after.items()],
            target=[RatingShare(rating=r, share=s) for r, s in sorted(found.target.items())]
            if found.target
            else None,
        )


# Sessions reach these loaders only after the caller was allowed to see them.
SessionKey = tuple[uuid.UUID, uuid.UUID]  # (session id, cycle id)


async def _members(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[MemberModel]]:
    service = CalibrationService(info.context.session, info.context.principal)
    found = await service.members(keys)
    return [found.get(k, []) for k in keys]


async def _entries(info: Ctx, keys: Sequence[SessionKey]) -> list[list[CalibratedModel]]:
    service = CalibrationService(info.context.session, info.context.principal)
    found = await service.entries_of(keys)
    return [found.get(k[0], []) for k in keys]


def members_loader(info: Ctx) -> DataLoader[uuid.UUID, list[MemberModel]]:
    return info.context.loader("calibration.members", lambda keys: _members(info, keys))


def entries_loader(info: Ctx) -> DataLoader[SessionKey, list[CalibratedModel]]:
    return info.context.loader("calibration.entries", lambda keys: _entries(info, keys))


@strawberry.type
class CalibrationQuery:
    @strawberry.field(description="A session the caller is a member of (or any, for HR).")
    async def calibration_session(self, info: Ctx, id: strawberry.ID) -> CalibrationSession | None:
        service = CalibrationService(info.context.session, info.context.principal)
        try:
            session_id = uuid.UUID(str(id))
        except ValueError:
            return None
        found = await service.sessions.get_or_none(session_id)
        if found is None:
            return None
        if not (info.context.principal.is_hr or await service.role_in(found.id)):
            return None
        return CalibrationSession.from_model(found)

    @strawberry.field(description="Sessions the caller is a member of (all, for HR).")
    async def calibration_sessions(
        self,
        info: Ctx,
        cycle_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CalibrationSession]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = CalibrationService(info.context.session, info.context.principal)
        rows, total = await service.page(
            cycle_id=None if cycle_id is None else parse_id(cycle_id, "cycleId"),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=CalibrationSession.from_model)


@strawberry.input
class RatingShareInput:
    rating: int
    share: float


@strawberry.input
class CreateCalibrationSessionInput:
    cycle_id: strawberry.ID
    name: str
    employee_ids: list[strawberry.ID]
    facilitator_ids: list[strawberry.ID]
    participant_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    target_distribution: list[RatingShareInput] | None = None


@strawberry.input
class AdjustRatingInput:
    session_id: strawberry.ID
    employee_id: strawberry.ID
    rating: int = strawberry.field(description="1-5.")
    reason: str = strawberry.field(description="Mandatory; kept in the audit log.")


@strawberry.input
class SessionIdInput:
    session_id: strawberry.ID


@strawberry.type
class CalibrationSessionPayload:
    session: CalibrationSession


@strawberry.type
class AdjustRatingPayload:
    employee: CalibratedEmployee


CalibrationSessionResult = Annotated[
    CalibrationSessionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CalibrationSessionResult"),
]
AdjustRatingResult = Annotated[
    AdjustRatingPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("AdjustRatingResult"),
]


@strawberry.type
class CalibrationMutation:
    @strawberry.mutation(description="Open a calibration session (HR).")
    async def create_calibration_session(
        self, info: Ctx, input: CreateCalibrationSessionInput
    ) -> CalibrationSessionResult:
        service = CalibrationService(info.context.session, info.context.principal)

        async def action() -> CalibrationSessionPayload:
            target = None
            if input.target_distribution is not None:
                target = {t.rating: t.share for t in input.target_distribution}
            session = await service.create(
                NewSession(
                    cycle_id=parse_id(input.cycle_id, "input.cycleId"),
                    name=input.name,
                    employee_ids=[
                        parse_id(e, f"input.employeeIds[{i}]")
                        for i, e in enumerate(input.employee_ids)
                    ],
                    facilitator_ids=[
                        parse_id(e, f"input.facilitatorIds[{i}]")
                        for i, e in enumerate(input.facilitator_ids)
                    ],
                    participant_ids=[
                        parse_id(e, f"input.participantIds[{i}]")
                        for i, e in enumerate(input.participant_ids)
                    ],
                    target_distribution=target,
                )
            )
            return CalibrationSessionPayload(session=CalibrationSession.from_model(session))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Change an employee's rating in an open session during the calibration "
        "phase (facilitators, HR). The reason is mandatory; the change is audited."
    )
    async def adjust_calibrated_rating(
        self, info: Ctx, input: AdjustRatingInput
    ) -> AdjustRatingResult:
        service = CalibrationService(info.context.session, info.context.principal)

        async def action() -> AdjustRatingPayload:
            found = await service.adjust(
                parse_id(input.session_id, "input.sessionId"),
                employee_id=parse_id(input.employee_id, "input.employeeId"),
                rating=input.rating,
                reason=input.reason,
            )
            return AdjustRatingPayload(employee=CalibratedEmployee.of(found))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Close a session: publishes rating.calibrated for each of its employees."
    )
    async def close_calibration_session(
        self, info: Ctx, input: SessionIdInput
    ) -> CalibrationSessionResult:
        service = CalibrationService(info.context.session, info.context.principal)

        async def action() -> CalibrationSessionPayload:
            session = await service.close(parse_id(input.session_id, "input.sessionId"))
            return CalibrationSessionPayload(session=CalibrationSession.from_model(session))

        return await run_mutation(info.context, action)
