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
from talent_performance.people.graphql import Employee
from talent_performance.reviews.enums import ReviewKind, ReviewStatus
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


@strawberry.enum(description="What a cycle is for. A label: every kind runs the same seven phases.")
class CycleKind(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    ANNUAL = strawberry.enum_value("annual", description="The yearly review.")
    MID_YEAR = strawberry.enum_value("mid_year", description="A mid-year review.")
    CHECK_IN_90 = strawberry.enum_value("check_in_90", description="A 90-day check-in.")


@strawberry.enum(description="The phases of a cycle, in this order.")
class CyclePhase(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    GOAL_SETTING = strawberry.enum_value(
        "goal_setting",
        description="The first phase after launch; peer feedback can be requested from "
        "here until PEER_FEEDBACK ends.",
    )
    SELF_REVIEW = strawberry.enum_value(
        "self_review", description="Employees write their self reviews."
    )
    PEER_FEEDBACK = strawberry.enum_value(
        "peer_feedback",
        description="Approved peers write their reviews; the last phase for peer requests.",
    )
    MANAGER_REVIEW = strawberry.enum_value(
        "manager_review", description="Managers write the manager reviews."
    )
    CALIBRATION = strawberry.enum_value(
        "calibration",
        description="Calibration sessions adjust manager ratings; the last phase in which "
        "reviews are written.",
    )
    SIGN_OFF = strawberry.enum_value(
        "sign_off", description="Managers (or HR) sign the submitted manager reviews off."
    )
    RELEASE = strawberry.enum_value(
        "release",
        description="The last phase: HR may release the cycle, after which employees see "
        "their manager and peer reviews and ratings.",
    )


assert [p.value for p in CyclePhase] == list(PHASES)


@strawberry.enum(description="Where a cycle is in its life.")
class CycleStatus(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    DRAFT = strawberry.enum_value(
        "draft", description="Created, not launched: no reviews exist yet."
    )
    ACTIVE = strawberry.enum_value(
        "active", description="Launched: running through its phases (see `phase`)."
    )
    CLOSED = strawberry.enum_value("closed", description="Released and closed; nothing changes.")


@strawberry.type(description="One step of the rating scale.")
class RatingLevel:
    value: int = strawberry.field(description="The rating, 1 (lowest) to 5 (highest).")
    label: str = strawberry.field(description="Its name in this cycle, e.g. `Outstanding`.")


@strawberry.type(description="A phase of a cycle and the day it is due.")
class PhaseDeadline:
    phase: CyclePhase = strawberry.field(description="The phase.")
    due_on: dt.date = strawberry.field(
        description="Last day of the phase (ISO date); due-soon and overdue notices count from it."
    )


@strawberry.type(description="How far one kind of review is.")
class ReviewCompletion:
    kind: ReviewKind = strawberry.field(description="The kind of review counted.")
    total: int = strawberry.field(description="Reviews of this kind, cancelled ones left out.")
    submitted: int = strawberry.field(description="Submitted or signed off.")
    signed_off: int = strawberry.field(description="Signed off (manager reviews only).")
    percent: float = strawberry.field(
        description="submitted / total, 0-100 with one decimal (0 when total is 0)."
    )

    @classmethod
    def of(cls, c: KindCompletion) -> ReviewCompletion:
        return cls(
            kind=ReviewKind(c.kind),
            total=c.total,
            submitted=c.submitted,
            signed_off=c.signed_off,
            percent=c.percent,
        )


@strawberry.type(description="Reviews of one kind submitted by the end of a day (cumulative).")
class DailyReviewCompletion:
    day: dt.date = strawberry.field(
        description="The day (ISO date, UTC) on which at least one review of this kind was "
        "submitted."
    )
    kind: ReviewKind = strawberry.field(description="The kind of review counted.")
    submitted: int = strawberry.field(
        description="Reviews of this kind submitted up to the end of the day, still "
        "submitted or signed off now."
    )

    @classmethod
    def of(cls, d: DailyCompletion) -> DailyReviewCompletion:
        return cls(day=d.day, kind=ReviewKind(d.kind), submitted=d.submitted)


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


@strawberry.federation.type(
    keys=["id"],
    description="A review cycle: its population, rating scale and phases with deadlines.",
)
class ReviewCycle:
    id: strawberry.ID = strawberry.field(description="The cycle's id (UUID).")
    code: str = strawberry.field(
        description="Unique code (at most 100 characters); events name the cycle by it."
    )
    name: str = strawberry.field(description="Display name.")
    kind: CycleKind = strawberry.field(description="What the cycle is for.")
    status: CycleStatus = strawberry.field(description="Draft, running or closed.")
    phase: CyclePhase | None = strawberry.field(
        description="The current phase; null until the cycle is launched."
    )
    org_unit_codes: list[str] = strawberry.field(
        description="Org units whose employees are reviewed. Empty: every org unit."
    )
    job_profile_codes: list[str] = strawberry.field(
        description="Job profiles whose holders are reviewed. Empty: every job profile."
    )
    hired_on_or_before: dt.date | None = strawberry.field(
        description="Hire-date cut-off of the population (ISO date); null: no cut-off."
    )
    scale: list[RatingLevel] = strawberry.field(
        description="The five rating levels with this cycle's labels, 1 first."
    )
    launched_at: dt.datetime | None = strawberry.field(
        description="When the cycle was launched; null while it is a draft."
    )
    released_at: dt.datetime | None = strawberry.field(
        description="When HR released ratings to employees; null before."
    )
    closed_at: dt.datetime | None = strawberry.field(
        description="When the cycle was closed; null while it is open."
    )

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

    @strawberry.field(
        description="Cumulative submissions per day and kind, by day (HR only; null for "
        "anyone else)."
    )
    async def completion_over_time(self, info: Ctx) -> list[DailyReviewCompletion] | None:
        if not info.context.principal.is_hr:
            raise Refused("completion over time is for hr_coordinator, hr_leader and admin")
        found = await CycleRepository(info.context.session).completion_over_time(
            uuid.UUID(str(self.id)), info.context.principal.org_scope
        )
        return [DailyReviewCompletion.of(d) for d in found]


@strawberry.type(description="A review not done in time for its phase.")
class BehindReview:
    review_id: strawberry.ID = strawberry.field(description="The review's id.")
    kind: ReviewKind = strawberry.field(description="The kind of review the phase is about.")
    status: ReviewStatus = strawberry.field(
        description="DRAFT, or SUBMITTED when the phase is SIGN_OFF (not signed off yet)."
    )
    employee: Employee = strawberry.field(description="The employee the review is about.")
    employee_name: str = strawberry.field(description="The employee's name.")
    reviewer: Employee | None = strawberry.field(
        description="Who has to write (or, in SIGN_OFF, sign off) the review."
    )
    manager: Employee | None = strawberry.field(
        description="The employee's manager; null when they have none."
    )
    manager_name: str | None = strawberry.field(
        description="The manager's name; null when there is no manager."
    )
    escalation_manager: Employee | None = strawberry.field(
        description="The manager's own manager, to escalate to; null at the top."
    )
    escalation_manager_name: str | None = strawberry.field(
        description="The escalation manager's name; null when there is none."
    )

    @classmethod
    def of(cls, r: BehindRow) -> BehindReview:
        return cls(
            review_id=strawberry.ID(str(r.review_id)),
            kind=ReviewKind(r.kind),
            status=ReviewStatus(r.status),
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
    phase: CyclePhase = strawberry.field(description="The phase asked about.")
    kind: ReviewKind = strawberry.field(
        description="The kind of review the phase is about (MANAGER for SIGN_OFF)."
    )
    due_on: dt.date | None = strawberry.field(
        description="The phase's deadline (ISO date); null if the cycle has none for it."
    )
    reviews: Connection[BehindReview] = strawberry.field(
        description="The reviews not done, by the employee's manager's name, then the "
        "employee's name."
    )


@strawberry.type
class CycleQuery:
    @strawberry.field(
        description="A review cycle by id (any signed-in user); null when there is none."
    )
    async def review_cycle(
        self,
        info: Ctx,
        id: Annotated[strawberry.ID, strawberry.argument(description="The cycle's id.")],
    ) -> ReviewCycle | None:
        return await ReviewCycle.resolve_reference(info, id)

    @strawberry.field(description="Review cycles, newest first (any signed-in user).")
    async def review_cycles(
        self,
        info: Ctx,
        status: Annotated[
            CycleStatus | None,
            strawberry.argument(description="Only cycles in this status; omit for all."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ReviewCycle]:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        rows, total = await CycleRepository(info.context.session).page(
            status=status.value if status else None, offset=page.offset, limit=page.limit
        )
        return connection(rows, total=total, page=page, to_node=ReviewCycle.from_model)

    @strawberry.field(
        description="Reviews not done for a phase (SELF_REVIEW, PEER_FEEDBACK, "
        "MANAGER_REVIEW, SIGN_OFF), ordered by manager, with each manager's manager for "
        "escalation. HR sees every review; anyone else their reporting chain's (nothing "
        "for someone who manages nobody)."
    )
    async def who_is_behind(
        self,
        info: Ctx,
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
        phase: Annotated[
            CyclePhase,
            strawberry.argument(
                description="SELF_REVIEW, PEER_FEEDBACK or MANAGER_REVIEW (drafts of that "
                "kind), or SIGN_OFF (manager reviews not signed off); other phases are "
                "refused with BAD_USER_INPUT."
            ),
        ],
        first: First = None,
        after: After = None,
    ) -> BehindReport:
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        found = await CycleService(info.context.session, info.context.principal).behind(
            parse_id(cycle_id, "cycleId"), phase=phase.value, offset=page.offset, limit=page.limit
        )
        return BehindReport(
            phase=phase,
            kind=ReviewKind(found.kind),
            due_on=found.due_on,
            reviews=connection(found.rows, total=found.total, page=page, to_node=BehindReview.of),
        )


# -- mutations ---------------------------------------------------------------------------
@strawberry.input(description="The deadline of one phase.")
class PhaseDeadlineInput:
    phase: CyclePhase = strawberry.field(description="The phase.")
    due_on: dt.date = strawberry.field(description="Its last day (ISO date).")


@strawberry.input(description="A new draft cycle.")
class CreateReviewCycleInput:
    code: str = strawberry.field(description="Unique code, 1-100 characters.")
    name: str = strawberry.field(description="Display name; required.")
    kind: CycleKind = strawberry.field(description="What the cycle is for.")
    deadlines: list[PhaseDeadlineInput] = strawberry.field(
        description="One deadline per phase, all seven, with non-decreasing dates in phase order."
    )
    org_unit_codes: list[str] = strawberry.field(
        default_factory=list,
        description="Org units whose active employees are reviewed; empty (default): every "
        "org unit.",
    )
    job_profile_codes: list[str] = strawberry.field(
        default_factory=list,
        description="Job profiles whose holders are reviewed (known codes only); empty "
        "(default): every job profile.",
    )
    hired_on_or_before: dt.date | None = strawberry.field(
        default=None,
        description="Only employees hired on or before this day (ISO date); null: no cut-off.",
    )
    scale_labels: list[str] | None = strawberry.field(
        default=None,
        description="Five non-empty labels of ratings 1-5 (default: Unsatisfactory, Needs "
        "improvement, Meets expectations, Exceeds expectations, Outstanding).",
    )


@strawberry.input(description="Names a review cycle.")
class CycleIdInput:
    cycle_id: strawberry.ID = strawberry.field(description="The cycle's id.")


@strawberry.input(description="Moves a running cycle one phase on.")
class AdvanceCyclePhaseInput:
    cycle_id: strawberry.ID = strawberry.field(description="The cycle's id.")
    phase: CyclePhase = strawberry.field(
        description="The phase to move to: must be the cycle's next phase, so a repeated "
        "request cannot skip one."
    )


@strawberry.type(description="The cycle a mutation created or changed.")
class ReviewCyclePayload:
    cycle: ReviewCycle = strawberry.field(description="The cycle as it is now.")


@strawberry.type(description="A launched cycle.")
class LaunchReviewCyclePayload:
    cycle: ReviewCycle = strawberry.field(description="The cycle, now ACTIVE in GOAL_SETTING.")
    population: int = strawberry.field(description="Employees who got a self review.")


ReviewCycleResult = Annotated[
    ReviewCyclePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ReviewCycleResult", description="The changed cycle, or why nothing changed."),
]
LaunchReviewCycleResult = Annotated[
    LaunchReviewCyclePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "LaunchReviewCycleResult", description="The launched cycle, or why it was not launched."
    ),
]


@strawberry.type
class CycleMutation:
    @strawberry.mutation(description="Create a draft cycle (hr_coordinator, hr_leader, admin).")
    async def create_review_cycle(
        self,
        info: Ctx,
        input: Annotated[CreateReviewCycleInput, strawberry.argument(description="The new cycle.")],
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
        description="Launch a draft cycle (HR): creates a self review for every active "
        "employee of its population and a manager review for each who has a manager, and "
        "opens GOAL_SETTING. An empty population is a Conflict."
    )
    async def launch_review_cycle(
        self,
        info: Ctx,
        input: Annotated[CycleIdInput, strawberry.argument(description="The draft cycle.")],
    ) -> LaunchReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> LaunchReviewCyclePayload:
            cycle, population = await service.launch(parse_id(input.cycle_id, "input.cycleId"))
            return LaunchReviewCyclePayload(
                cycle=ReviewCycle.from_model(cycle), population=population
            )

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Move a running cycle to its next phase (HR).")
    async def advance_cycle_phase(
        self,
        info: Ctx,
        input: Annotated[
            AdvanceCyclePhaseInput,
            strawberry.argument(description="The cycle and the phase it moves to."),
        ],
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
    async def release_review_cycle(
        self,
        info: Ctx,
        input: Annotated[
            CycleIdInput, strawberry.argument(description="The cycle in its RELEASE phase.")
        ],
    ) -> ReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> ReviewCyclePayload:
            cycle = await service.release(parse_id(input.cycle_id, "input.cycleId"))
            return ReviewCyclePayload(cycle=ReviewCycle.from_model(cycle))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Close a released cycle (HR).")
    async def close_review_cycle(
        self,
        info: Ctx,
        input: Annotated[CycleIdInput, strawberry.argument(description="The released cycle.")],
    ) -> ReviewCycleResult:
        service = CycleService(info.context.session, info.context.principal)

        async def action() -> ReviewCyclePayload:
            cycle = await service.close(parse_id(input.cycle_id, "input.cycleId"))
            return ReviewCyclePayload(cycle=ReviewCycle.from_model(cycle))

        return await run_mutation(info.context, action)
