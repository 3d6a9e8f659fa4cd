"""Reports for HR (hr_coordinator, hr_leader, admin; null for anyone else), each with a
`csv` field holding the same rows as a CSV file (header row, UTF-8)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_performance.cycles.graphql import CyclePhase
from talent_performance.reports.repository import (
    RATINGS,
    DistributionRow,
    GoalCompletionRow,
    PhaseCompletionRow,
    ReportRepository,
    TurnoverRow,
)
from talent_performance.reviews.enums import ReviewKind
from talent_platform.errors import Forbidden
from talent_platform.graphql import TalentContext, parse_id

Ctx = Info[TalentContext, None]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


@strawberry.enum(description="How `ratingDistribution` groups the employees.")
class DistributionGrouping(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    ORG_UNIT = strawberry.enum_value("org_unit", description="By the employee's org unit.")
    MANAGER = strawberry.enum_value("manager", description="By the employee's manager.")
    JOB_LEVEL = strawberry.enum_value(
        "job_level", description="By the level of the employee's job profile."
    )


HR_ONLY = "HR reports are for hr_coordinator, hr_leader and admin"


@strawberry.type(description="Manager ratings (before) and final ratings (after calibration).")
class RatingDistributionGroup:
    group: str = strawberry.field(
        description="Org unit code, manager id or job level; empty when the employee has none."
    )
    label: str = strawberry.field(
        description="What to show: the org unit code, the manager's name (`(no manager)`), "
        "or the job level."
    )
    total: int = strawberry.field(description="Submitted manager reviews in the group.")
    before: list[int] = strawberry.field(description="Counts of ratings 1..5 before calibration.")
    after: list[int] = strawberry.field(description="Counts of ratings 1..5 after calibration.")

    @classmethod
    def of(cls, r: DistributionRow) -> RatingDistributionGroup:
        return cls(
            group=r.group, label=r.label, total=r.total, before=list(r.before), after=list(r.after)
        )


CSV = (
    "The same rows as a CSV file: a header row of snake_case column names, then one line "
    "per row (UTF-8, empty for null)."
)


@strawberry.type(description="Rating distribution of a cycle's manager reviews, per group.")
class RatingDistributionReport:
    groups: list[RatingDistributionGroup] = strawberry.field(
        description="One row per group, by group key."
    )
    csv: str = strawberry.field(
        description=CSV + " Columns: group, label, total, before_1..before_5, after_1..after_5."
    )


@strawberry.type(description="How far the reviews of one tracked phase are.")
class PhaseCompletion:
    phase: CyclePhase = strawberry.field(
        description="SELF_REVIEW, PEER_FEEDBACK, MANAGER_REVIEW or SIGN_OFF."
    )
    kind: ReviewKind = strawberry.field(
        description="The kind of review the phase is about (MANAGER for SIGN_OFF)."
    )
    due_on: dt.date | None = strawberry.field(
        description="The phase's deadline (ISO date); null if the cycle has none."
    )
    total: int = strawberry.field(description="Reviews of that kind, cancelled ones left out.")
    done: int = strawberry.field(
        description="Submitted or signed off; for SIGN_OFF, signed off only."
    )
    percent: float = strawberry.field(
        description="done / total, 0-100 with one decimal (0 when total is 0)."
    )


@strawberry.type(description="Completion of a cycle's reviews, per tracked phase.")
class PhaseCompletionReport:
    phases: list[PhaseCompletion] = strawberry.field(
        description="SELF_REVIEW, PEER_FEEDBACK, MANAGER_REVIEW and SIGN_OFF, in this order."
    )
    csv: str = strawberry.field(
        description=CSV + " Columns: phase, kind, due_on, total, done, percent "
        "(phase and kind in lowercase)."
    )


@strawberry.type(description="Individual goals of the employees of one org unit.")
class GoalCompletion:
    org_unit: str = strawberry.field(
        description="The goal owners' org unit code; empty for owners without one."
    )
    goals: int = strawberry.field(description="Individual goals, cancelled ones left out.")
    completed: int = strawberry.field(description="Of them, COMPLETED.")
    average_progress: float = strawberry.field(
        description="Their mean progress, 0-100 with one decimal."
    )


@strawberry.type(description="Individual goal completion per org unit.")
class GoalCompletionReport:
    org_units: list[GoalCompletion] = strawberry.field(
        description="One row per org unit with individual goals, by code."
    )
    csv: str = strawberry.field(
        description=CSV + " Columns: org_unit, goals, completed, average_progress."
    )


@strawberry.enum(description="Performance tier by the latest final rating.")
class PerformanceTier(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    HIGH = strawberry.enum_value("high", description="Latest final rating 4 or 5.")
    SOLID = strawberry.enum_value("solid", description="Latest final rating 3.")
    LOW = strawberry.enum_value("low", description="Latest final rating 1 or 2.")
    UNRATED = strawberry.enum_value("unrated", description="No rating yet.")


@strawberry.type(description="Turnover of one performance tier.")
class TierTurnover:
    tier: PerformanceTier = strawberry.field(description="The tier.")
    headcount: int = strawberry.field(description="Employed on the `since` day.")
    left: int = strawberry.field(description="Of them, terminated since.")
    rate: float = strawberry.field(description="left / headcount, 0-100.")


@strawberry.type(description="Turnover by performance tier since a day.")
class TurnoverReport:
    since: dt.date = strawberry.field(description="The day asked for (ISO date).")
    tiers: list[TierTurnover] = strawberry.field(
        description="Four rows: high, solid, low, unrated, zeros included."
    )
    csv: str = strawberry.field(description=CSV + " Columns: tier, headcount, left, rate.")


def _distribution(rows: list[DistributionRow]) -> RatingDistributionReport:
    header = ["group", "label", "total"]
    header += [f"before_{r}" for r in RATINGS] + [f"after_{r}" for r in RATINGS]
    return RatingDistributionReport(
        groups=[RatingDistributionGroup.of(r) for r in rows],
        csv=to_csv(header, ([r.group, r.label, r.total, *r.before, *r.after] for r in rows)),
    )


def _phases(rows: list[PhaseCompletionRow]) -> PhaseCompletionReport:
    return PhaseCompletionReport(
        phases=[
            PhaseCompletion(
                phase=CyclePhase(r.phase),
                kind=ReviewKind(r.kind),
                due_on=r.due_on,
                total=r.total,
                done=r.done,
                percent=r.percent,
            )
            for r in rows
        ],
        csv=to_csv(
            ["phase", "kind", "due_on", "total", "done", "percent"],
            ([r.phase, r.kind, r.due_on, r.total, r.done, r.percent] for r in rows),
        ),
    )


def _goals(rows: list[GoalCompletionRow]) -> GoalCompletionReport:
    return GoalCompletionReport(
        org_units=[
            GoalCompletion(
                org_unit=r.org_unit,
                goals=r.goals,
                completed=r.completed,
                average_progress=r.average_progress,
            )
            for r in rows
        ],
        csv=to_csv(
            ["org_unit", "goals", "completed", "average_progress"],
            ([r.org_unit, r.goals, r.completed, r.average_progress] for r in rows),
        ),
    )


def _turnover(since: dt.date, rows: list[TurnoverRow]) -> TurnoverReport:
    return TurnoverReport(
        since=since,
        tiers=[
            TierTurnover(
                tier=PerformanceTier(r.tier), headcount=r.headcount, left=r.left, rate=r.rate
            )
            for r in rows
        ],
        csv=to_csv(
            ["tier", "headcount", "left", "rate"],
            ([r.tier, r.headcount, r.left, r.rate] for r in rows),
        ),
    )


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Rating distribution of a cycle's submitted manager reviews by org "
        "unit, manager or job level (HR; null for others)."
    )
    async def rating_distribution(
        self,
        info: Ctx,
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
        group_by: Annotated[
            DistributionGrouping, strawberry.argument(description="How to group employees.")
        ],
    ) -> RatingDistributionReport | None:
        if not info.context.principal.is_hr:
            raise Forbidden(HR_ONLY)
        rows = await ReportRepository(
            info.context.session, info.context.principal.org_scope
        ).rating_distribution(parse_id(cycle_id, "cycleId"), group_by=group_by.value)
        return _distribution(rows)

    @strawberry.field(description="Reviews done per phase of a cycle (HR; null for others).")
    async def completion_by_phase(
        self,
        info: Ctx,
        cycle_id: Annotated[strawberry.ID, strawberry.argument(description="The cycle.")],
    ) -> PhaseCompletionReport | None:
        if not info.context.principal.is_hr:
            raise Forbidden(HR_ONLY)
        rows = await ReportRepository(
            info.context.session, info.context.principal.org_scope
        ).completion_by_phase(parse_id(cycle_id, "cycleId"))
        return _phases(rows)

    @strawberry.field(
        description="Individual goals completed and average progress per org unit (HR; "
        "null for others)."
    )
    async def goal_completion(
        self,
        info: Ctx,
        cycle_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this cycle's goals; omit for every goal."),
        ] = None,
    ) -> GoalCompletionReport | None:
        if not info.context.principal.is_hr:
            raise Forbidden(HR_ONLY)
        rows = await ReportRepository(
            info.context.session, info.context.principal.org_scope
        ).goal_completion(None if cycle_id is None else parse_id(cycle_id, "cycleId"))
        return _goals(rows)

    @strawberry.field(
        description="Turnover since a day by performance tier (latest final rating, from "
        "cycles or imported history; terminations from people's events). HR; null for "
        "others."
    )
    async def turnover_by_performance_tier(
        self,
        info: Ctx,
        since: Annotated[
            dt.date,
            strawberry.argument(
                description="First day counted (ISO date): headcount is who was employed then."
            ),
        ],
    ) -> TurnoverReport | None:
        if not info.context.principal.is_hr:
            raise Forbidden(HR_ONLY)
        rows = await ReportRepository(
            info.context.session, info.context.principal.org_scope
        ).turnover_by_tier(since)
        return _turnover(since, rows)
