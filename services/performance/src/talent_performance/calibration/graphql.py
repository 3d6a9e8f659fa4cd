from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
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
from talent_performance.people.graphql import Employee
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
    page_request,
    parse_id,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Whether a calibration session still takes adjustments.")
class CalibrationSessionStatus(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    OPEN = strawberry.enum_value(
        "open", description="Facilitators and HR adjust ratings (in the CALIBRATION phase)."
    )
    CLOSED = strawberry.enum_value(
        "closed", description="Closed: the final ratings were stored and published."
    )


@strawberry.type(description="How many employees have each rating (1-5).")
class RatingCount:
    rating: int = strawberry.field(description="The rating, 1-5.")
    count: int = strawberry.field(description="Employees with that rating.")


@strawberry.type(description="Share of employees (0-1) a rating should have: guidance only.")
class RatingShare:
    rating: int = strawberry.field(description="The rating, 1-5.")
    share: float = strawberry.field(description="Fraction of the employees, 0-1.")


@strawberry.type(description="A session's ratings before and after calibration, and the target.")
class RatingDistribution:
    before: list[RatingCount] = strawberry.field(
        description="The submitted manager ratings: one count per rating 1-5, zeros included."
    )
    after: list[RatingCount] = strawberry.field(
        description="Final ratings after calibration so far: one count per rating 1-5."
    )
    target: list[RatingShare] | None = strawberry.field(
        description="The optional target distribution, never enforced; null when none was given."
    )


@strawberry.type(description="An employee in a calibration session.")
class CalibratedEmployee:
    employee: Employee = strawberry.field(description="The employee calibrated.")
    manager_rating: int | None = strawberry.field(
        description="The submitted manager rating, 1-5; null while the manager review is "
        "not submitted."
    )
    calibrated_rating: int | None = strawberry.field(
        description="Set by an adjustment in this session, 1-5; null when not adjusted."
    )
    final_rating: int | None = strawberry.field(
        description="The calibrated rating if any, else the manager rating; null when "
        "neither exists."
    )
    reason: str | None = strawberry.field(
        description="Why it was adjusted; null when not adjusted."
    )

    @classmethod
    def of(cls, e: CalibratedModel) -> CalibratedEmployee:
        return cls(
            employee=Employee(id=strawberry.ID(str(e.employee_id))),
            manager_rating=e.manager_rating,
            calibrated_rating=e.calibrated_rating,
            final_rating=e.final_rating,
            reason=e.reason,
        )


@strawberry.enum(description="What a member does in a calibration session.")
class CalibrationRole(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    FACILITATOR = strawberry.enum_value(
        "facilitator", description="Adjusts ratings and closes the session."
    )
    PARTICIPANT = strawberry.enum_value("participant", description="Sees the session.")


@strawberry.type(description="A calibration member: a facilitator or a participant.")
class CalibrationMember:
    employee: Employee = strawberry.field(description="The member.")
    role: CalibrationRole = strawberry.field(description="What they do in the session.")


@strawberry.type(description="A calibration session (visible to its members and HR).")
class CalibrationSession:
    id: strawberry.ID = strawberry.field(description="The session's id (UUID).")
    name: str = strawberry.field(description="Display name.")
    status: CalibrationSessionStatus = strawberry.field(
        description="Open for adjustments, or closed."
    )
    closed_at: dt.datetime | None = strawberry.field(
        description="When it was closed; null while open."
    )
    _cycle_id: strawberry.Private[uuid.UUID]
    _id: strawberry.Private[uuid.UUID]
    _target: strawberry.Private[dict[str, float] | None]

    @classmethod
    def from_model(cls, m: SessionModel) -> CalibrationSession:
        return cls(
            id=strawberry.ID(str(m.id)),
            name=m.name,
            status=CalibrationSessionStatus(m.status),
            closed_at=m.closed_at,
            _cycle_id=m.cycle_id,
            _id=m.id,
            _target=m.target_distribution,
        )

    @strawberry.field(description="The cycle whose manager ratings are calibrated.")
    async def cycle(self, info: Ctx) -> ReviewCycle:
        found = await cycle_loader(info).load(self._cycle_id)
        if found is None:
            raise RuntimeError(f"cycle {self._cycle_id} of session {self.id} is missing")
        return found

    @strawberry.field(description="Facilitators first, then participants.")
    async def members(self, info: Ctx) -> list[CalibrationMember]:
        found = await members_loader(info).load(self._id)
        return [
            CalibrationMember(
                employee=Employee(id=strawberry.ID(str(m.member_id))), role=CalibrationRole(m.role)
            )
            for m in sorted(found, key=lambda m: (m.role, str(m.member_id)))
        ]

    @strawberry.field(description="The employees calibrated, with ratings before and after.")
    async def employees(self, info: Ctx) -> list[CalibratedEmployee]:
        found = await entries_loader(info).load((self._id, self._cycle_id))
        return [CalibratedEmployee.of(e) for e in found]

    @strawberry.field(
        description="Counts of ratings before and after calibration, with the target."
    )
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
    @strawberry.field(
        description="A session the caller is a member of (or any, for HR); null otherwise."
    )
    async def calibration_session(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The session's id.")],
    ) -> CalibrationSession | None:
        service = CalibrationService(info.context.session, info.context.principal)
        session_id = parse_id(id, "id", "calibration session id")
        found = await service.sessions.get_or_none(session_id)
        if found is None:
            return None
        if not (info.context.principal.is_hr or await service.role_in(found.id)):
            raise Refused("only HR and the session's members see a calibration session")
        return CalibrationSession.from_model(found)

    @strawberry.field(description="Sessions the caller is a member of (all, for HR), oldest first.")
    async def calibration_sessions(
        self,
        info: Ctx,
        cycle_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this cycle's sessions.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[CalibrationSession]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        service = CalibrationService(info.context.session, info.context.principal)
        rows, total = await service.page(
            cycle_id=None if cycle_id is None else parse_id(cycle_id, "cycleId"),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=CalibrationSession.from_model)


@strawberry.input(description="The share of employees a rating should have.")
class RatingShareInput:
    rating: int = strawberry.field(description="The rating, 1-5.")
    share: float = strawberry.field(description="Fraction of the employees, 0-1.")


@strawberry.input(description="A new calibration session.")
class CreateCalibrationSessionInput:
    cycle_id: strawberry.ID = strawberry.field(description="A running (ACTIVE) cycle.")
    name: str = strawberry.field(description="Display name; required.")
    employee_ids: list[strawberry.ID] = strawberry.field(
        description="The employees to calibrate: at least one, each with a manager review "
        "in the cycle."
    )
    facilitator_ids: list[strawberry.ID] = strawberry.field(
        description="Known employees who adjust ratings and close the session; at least one."
    )
    participant_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Known employees who see the session; someone also named a "
        "facilitator is a facilitator.",
    )
    target_distribution: list[RatingShareInput] | None = strawberry.field(
        default=None,
        description="Guidance only: shares (0-1) of ratings 1-5 adding up to 1 (within "
        "0.01); null for none.",
    )


@strawberry.input(description="A calibrated rating for one employee of a session.")
class AdjustRatingInput:
    session_id: strawberry.ID = strawberry.field(description="The open session.")
    employee_id: strawberry.ID = strawberry.field(
        description="An employee of the session whose manager review is submitted."
    )
    rating: int = strawberry.field(description="1-5.")
    reason: str = strawberry.field(description="Mandatory; kept in the audit log.")


@strawberry.input(description="Names a calibration session.")
class SessionIdInput:
    session_id: strawberry.ID = strawberry.field(description="The session's id.")


@strawberry.type(description="The session a mutation created or closed.")
class CalibrationSessionPayload:
    session: CalibrationSession = strawberry.field(description="The session as it is now.")


@strawberry.type(description="The adjusted employee.")
class AdjustRatingPayload:
    employee: CalibratedEmployee = strawberry.field(
        description="The employee with the manager rating and the new calibrated one."
    )


CalibrationSessionResult = Annotated[
    CalibrationSessionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "CalibrationSessionResult", description="The session, or why nothing changed."
    ),
]
AdjustRatingResult = Annotated[
    AdjustRatingPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "AdjustRatingResult", description="The adjusted employee, or why nothing changed."
    ),
]


@strawberry.type
class CalibrationMutation:
    @strawberry.mutation(description="Open a calibration session (HR).")
    async def create_calibration_session(
        self,
        info: Ctx,
        input: Annotated[
            CreateCalibrationSessionInput, strawberry.argument(description="The new session.")
        ],
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
        self,
        info: Ctx,
        input: Annotated[
            AdjustRatingInput,
            strawberry.argument(description="The session, employee, rating and reason."),
        ],
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
        description="Close an open session in the CALIBRATION phase (facilitators, HR): "
        "stores each employee's final rating and publishes rating.calibrated for each. A "
        "Conflict while a manager review of the session is not submitted."
    )
    async def close_calibration_session(
        self,
        info: Ctx,
        input: Annotated[SessionIdInput, strawberry.argument(description="The open session.")],
    ) -> CalibrationSessionResult:
        service = CalibrationService(info.context.session, info.context.principal)

        async def action() -> CalibrationSessionPayload:
            session = await service.close(parse_id(input.session_id, "input.sessionId"))
            return CalibrationSessionPayload(session=CalibrationSession.from_model(session))

        return await run_mutation(info.context, action)
