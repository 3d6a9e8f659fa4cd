from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_performance.cycles.models import PHASES
from talent_performance.cycles.models import ReviewCycle as CycleModel
from talent_performance.cycles.repository import (
    BehindRow,
    CycleRepository,
    DailyCompletion,
    KindCompletion,
)
from talent_performance.cycles.service import CycleService, NewCycle
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


@strawberry.enum(description="How often and how deeply a cycle reviews.")
class CycleKind(Enum):
    ANNUAL = "annual"
    MID_YEAR = "mid_year"
    CHECK_IN_90 = "check_in_90"


@strawberry.enum(description="The phases of a cycle, in this order.")
class CyclePhase(Enum):
    GOAL_SETTING = "goal_setting"
    SELF_REVIEW = "self_review"
    PEER_FEEDBACK = "peer_feedback"
    MANAGER_REVIEW = "manager_review"
    CALIBRATION = "calibration"
    SIGN_OFF = "sign_off"
    RELEASE = "release"


assert [p.value for p in CyclePhase] == list(PHASES)


@strawberry.enum
class CycleStatus(Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


@strawberry.type(description="One step of the rating scale.")
class RatingLevel:
    value: int
    label: str


@strawberry.type(description="A phase of a cycle and the day it is due.")
class PhaseDeadline:
    phase: CyclePhase
    due_on: dt.date


@strawberry.type(description="How far one kind of review is.")
class ReviewCompletion:
    kind: str = strawberry.field(description="`self`, `peer` or `manager`.")
    total: int
    submitted: int = strawberry.field(description="Submitted or signed off.")
    signed_off: int
    percent: float = strawberry.field(description="submitted / total, 0-100.")

    @classmethod
    def of(cls, c: KindCompletion) -> ReviewCompletion:
        return cls(
            kind=c.kind,
            total=c.total,
            submitted=c.submitted,
            signed_off=c.signed_off,
            percent=c.percent,
        )


@strawberry.type(description="Reviews of one kind submitted by the end of a day (cumulative).")
class DailyReviewCompletion:
    day: dt.date
    kind: str
    submitted: int

    @classmethod
    def of(cls, d: DailyCompletion) -> DailyReviewCompletion:
        return cls(day=d.day, kind=d.kind, submitted=d.submitted)


async def _deadlines(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[PhaseDeadline]]:
    found = await CycleRepository(info.context.session).deadlines(keys)
    return [
        [PhaseDeadline(phase=CyclePhase(d.phase), due_on=d.due_on) for d in found.get(k, [])]
        for k in keys
    ]


async def _completion(info: Ctx, keys: Sequence[uuid.UUID]) -> list[list[ReviewCompletion]]:
    found = await CycleRepository(info.context.session).completion(keys)
    return [[ReviewCompletion.of(c) for c in found.get(k, [])] for k in keys]


def deadlines_loader(info: Ctx) -> DataLoader[uuid.UUID, list[PhaseDeadline]]:
    return info.context.loader("cycle.deadlines", lambda keys: _deadlines(info, keys))


def completion_loader(info: Ctx) -> DataLoader[uuid.UUID, list[ReviewCompletion]]:
    return info.context.loader("cycle.completion", lambda keys: _completion(info, keys))


async def _cycles(info: Ctx, keys: Sequence[uuid.UUID]) -> list[ReviewCycle | None]:
    found = await CycleRepository(info.context.session).by_ids(keys)
    return [ReviewCycle.from_model(found[k]) if k in found else None for k in keys]


def cycle_loader(info: Ctx) -> DataLoader[uuid.UUID, ReviewCycle | None]:
    return info.context.loader("cycle.by_id", lambda keys: _cycles(info, keys))


@strawberry.federation.type(keys=["id"], description="A review cycle.")
class ReviewCycle:
    id: strawberry.ID
    code: str
    name: str
    kind: CycleKind
    status: CycleStatus
    phase: CyclePhase | None
    org_unit_codes: list[str] = strawberry.field(description="Empty: every org unit.")
    job_profile_codes: list[str] = strawberry.field(description="Empty: every job profile.")
    hired_on_or_before: dt.date | None = strawberry.field(
        description="Hire-date cut-off of the population."
    )
    scale: list[RatingLevel]
    launched_at: dt.datetime | None
    released_at: dt.datetime | None = strawberry.field(
        description="When HR released ratings to employees."
    )
    closed_at: dt.datetime | None

    @classmethod
    def from_model(cls, m: CycleModel) -> ReviewCycle:
        return cls(
            id=strawberry.ID(str(m.id)),
            code=m.code,
            name=m.name,
            kind=CycleKind(m.kind),
            status=CycleStatus(m.status),
            phase=CyclePhase(m.phase) if m.phase else None,
            org_unit_codes=list(m.org_unit_codes),
            job_profile_codes=list(m.job_profile_codes),
            hired_on_or_before=m.hired_on_or_before,
            scale=[RatingLevel(value=i + 1, label=label) for i, label in enumerate(m.scale_labels)],
            launched_at=m.launched_at,
            released_at=m.released_at,
            closed_at=m.closed_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> ReviewCycle | None:
        try:
            return await cycle_loader(info).load(uuid.UUID(str(id)))
        except ValueError:
            return None

    @strawberry.field(description="Every phase with its deadline, in order.")
    async def deadlines(self, info: Ctx) -> list[PhaseDeadline]:
        return await deadlines_loader(info).load(uuid.UUID(str(self.id)))

    @strawberry.field(description="Completion per kind of review (cancelled reviews left out).")
    async def completion(self, info: Ctx) -> list[ReviewCompletion]:
        return await completion_loader(info).load(uuid.UUID(str(self.id)))

    @strawberry.field(description="Cumulative submissions per day and kind (HR only).")
    async def completion_over_time(self, info: Ctx) -> list[DailyReviewCompletion] | None:
        if not info.context.principal.is_hr:
            return None
        found = await CycleRepository(info.context.session).completion_over_time(
            uuid.UUID(str(self.id))
        )
        return [DailyReviewCompletion.of(d) for d in found]


@strawberry.type(description="A review not done in time for its phase.")
class BehindReview:
    review_id: strawberry.ID
    kind: str
    status: str
    employee: Employee
    employee_name: str
    reviewer: Employee | None
    manager: Employee | None = strawberry.field(description="The employee's manager.")
    manager_name: str | None
    escalation_manager: Employee | None = strawberry.field(
        description="The manager's own manager, to escalate to."
    )
    escalation_manager_name: str | None

    @classmethod
    def of(cls, r: BehindRow) -> BehindReview:
        return cls(
            review_id=strawberry.ID(str(r.review_id)),
            kind=r.kind,
            status=r.status,
            employee=Employee(id=strawberry.ID(str(r.employee_id))),
            employee_name=r.employee_name,
            reviewer=Employee.of(r.reviewer_id),
            manager=Employee.of(r.manager_id),
            manager_name=r.manager_name,
            escalation_manager=Employee.of(r.escalation_manager_id),
            escalation_manager_name=r.escalation_manager_name,
        )


@strawberry.type(description="Who is behind in one phase of a cycle.")
class BehindReport:
    phase: CyclePhase
    kind: str
    due_on: dt.date | None
    reviews: Connection[BehindReview]


@strawberry.type
class CycleQuery:
    @strawberry.field(description="A review cycle by id (any signed-in user).")
    async def review_cycle(self, info: Ctx, id: strawberry.ID) -> ReviewCycle | None:
        return await ReviewCycle.resolve_reference(info, id)

    @strawberry.field(description="Review cycles, newest first.")
    async def review_cycles(
        self,
        info: Ctx,
        status: CycleStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ReviewCycle]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await CycleRepository(info.context.session).page(
            status=status.value if status else None, offset=page.offset, limit=page.limit
        )
        return connection(rows, total=total, page=page, to_node=ReviewCycle.from_model)

    @strawberry.field(
        description="Reviews not done for a phase (self_review, peer_feedback, "
        "manager_review, sign_off), ordered by manager, with each manager's manager for "
        "escalation. HR sees every review; a manager their reporting chain's."
    )
    async def who_is_behind(
        self,
        info: Ctx,
        cycle_id: strawberry.ID,
        phase: CyclePhase,
        first: int | None = None,
        after: str | None = None,
    ) -> BehindReport:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        found = await CycleService(info.context.session, info.context.principal).behind(
            parse_id(cycle_id, "cycleId"), phase=phase.value, offset=page.offset, limit=page.limit
        )
        return BehindReport(
            phase=phase,
            kind=found.kind,
            due_on=found.due_on,
            reviews=connection(found.rows, total=found.total, page=page, to_node=BehindReview.of),
        )


# -- mutations ---------------------------------------------------------------------------
@strawberry.input
class PhaseDeadlineInput:
    phase: CyclePhase
    due_on: dt.date


@strawberry.input
class CreateReviewCycleInput:
    code: str
    name: str
    kind: CycleKind
    deadlines: list[PhaseDeadlineInput] = strawberry.field(
        description="One deadline per phase, in phase order (non-decreasing dates)."
    )
    org_unit_codes: list[str] = strawberry.field(default_factory=list)
    job_profile_codes: list[str] = strawberry.field(default_factory=list)
    hired_on_or_before: dt.date | None = None
    scale_labels: list[str] | None = strawberry.field(
        default=None, description="Labels of ratings 1-5 (default: Unsatisfactory ... Outstanding)."
    )


@strawberry.input
class CycleIdInput:
    cycle_id: strawberry.ID


@strawberry.input
class AdvanceCyclePhaseInput:
    cycle_id: strawberry.ID
    phase: CyclePhase = strawberry.field(
        description="The phase to move to: must be the cycle's next phase."
    )


@strawberry.type
class ReviewCyclePayload:
    cycle: ReviewCycle


@strawberry.type
class LaunchReviewCyclePayload:
    cycle: ReviewCycle
    population: int = strawberry.field(description="Employees who got reviews.")


ReviewCycleResult = Annotated[
    ReviewCyclePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ReviewCycleResult"),
]
LaunchReviewCycleResult = Annotated[
    LaunchReviewCyclePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("LaunchReviewCycleResult"),
]


@strawberry.type
class CycleMutation:
    @strawberry.mutation(description="Create a draft cycle (hr_coordinator, hr_leader, admin).")
    async def create_review_cycle(
        self, info: Ctx, input: CreateReviewCycleInput
    ) -> ReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> ReviewCyclePayload:
            deadlines: dict[str, dt.date] = {}
            for d in input.deadlines:
                deadlines[d.phase.value] = d.due_on
            cycle = await service.create(
                NewCycle(
                    code=input.code,
                    name=input.name,
                    kind=input.kind.value,
                    deadlines=deadlines,
                    org_unit_codes=input.org_unit_codes,
                    job_profile_codes=input.job_profile_codes,
                    hired_on_or_before=input.hired_on_or_before,
                    scale_labels=input.scale_labels,
                )
            )
            return ReviewCyclePayload(cycle=ReviewCycle.from_model(cycle))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Launch a draft cycle: creates a self review and a manager review for "
        "every active employee of its population, and opens goal_setting."
    )
    async def launch_review_cycle(self, info: Ctx, input: CycleIdInput) -> LaunchReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> LaunchReviewCyclePayload:
            cycle, population = await service.launch(parse_id(input.cycle_id, "input.cycleId"))
            return LaunchReviewCyclePayload(
                cycle=ReviewCycle.from_model(cycle), population=population
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Move a running cycle to its next phase (HR).")
    async def advance_cycle_phase(
        self, info: Ctx, input: AdvanceCyclePhaseInput
    ) -> ReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> ReviewCyclePayload:
            cycle = await service.advance(
                parse_id(input.cycle_id, "input.cycleId"), to_phase=input.phase.value
            )
            return ReviewCyclePayload(cycle=ReviewCycle.from_model(cycle))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Release the cycle in its release phase: employees see their manager "
        "reviews and (calibrated) ratings from now on (HR; audited)."
    )
    async def release_review_cycle(self, info: Ctx, input: CycleIdInput) -> ReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> ReviewCyclePayload:
            cycle = await service.release(parse_id(input.cycle_id, "input.cycleId"))
            return ReviewCyclePayload(cycle=ReviewCycle.from_model(cycle))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Close a released cycle (HR).")
    async def close_review_cycle(self, info: Ctx, input: CycleIdInput) -> ReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> ReviewCyclePayload:
            cycle = await service.close(parse_id(input.cycle_id, "input.cycleId"))
            return ReviewCyclePayload(cycle=ReviewCycle.from_model(cycle))

        return await run_mutation(info.context, action)
