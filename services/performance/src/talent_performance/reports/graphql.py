"""Reports for HR (hr_coordinator, hr_leader, admin; null for anyone else), each with a
`csv` field holding the same rows as a CSV file (header row, UTF-8)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from enum import Enum

import strawberry
from strawberry.types import Info

from talent_performance.people.graphql import parse_id
from talent_performance.reports.repository import (
    RATINGS,
    DistributionRow,
    GoalCompletionRow,
    PhaseCompletionRow,
    ReportRepository,
    TurnoverRow,
)
from talent_platform.graphql import TalentContext

Ctx = Info[TalentContext, None]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


@strawberry.enum
class DistributionGrouping(Enum):
    ORG_UNIT = "org_unit"
    MANAGER = "manager"
    JOB_LEVEL = "job_level"


@strawberry.type(description="Manager ratings (before) and final ratings (after calibration).")
class RatingDistributionGroup:
    group: str = strawberry.field(description="Org unit code, manager id or job level.")
    label: str
    total: int
    before: list[int] = strawberry.field(description="Counts of ratings 1..5 before calibration.")
    after: list[int] = strawberry.field(description="Counts of ratings 1..5 after calibration.")

    @classmethod
    def of(cls, r: DistributionRow) -> RatingDistributionGroup:
        return cls(
            group=r.group, label=r.label, total=r.total, before=list(r.before), after=list(r.after)
        )


@strawberry.type
class RatingDistributionReport:
    groups: list[RatingDistributionGroup]
    csv: str


@strawberry.type
class PhaseCompletion:
    phase: str
    kind: str
    due_on: dt.date | None
    total: int
    done: int
    percent: float


@strawberry.type
class PhaseCompletionReport:
    phases: list[PhaseCompletion]
    csv: str


@strawberry.type
class GoalCompletion:
    org_unit: str
    goals: int
    completed: int
    average_progress: float


@strawberry.type
class GoalCompletionReport:
    org_units: list[GoalCompletion]
    csv: str


@strawberry.type(description="high: 4-5, solid: 3, low: 1-2, unrated: no rating yet.")
class TierTurnover:
    tier: str
    headcount: int = strawberry.field(description="Employed on the `since` day.")
    left: int = strawberry.field(description="Of them, terminated since.")
    rate: float = strawberry.field(description="left / headcount, 0-100.")


@strawberry.type
class TurnoverReport:
    since: dt.date
    tiers: list[TierTurnover]
    csv: str


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
                phase=r.phase,
                kind=r.kind,
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
            TierTurnover(tier=r.tier, headcount=r.headcount, left=r.left, rate=r.rate) for r in rows
        ],
        csv=to_csv(
            ["tier", "headcount", "left", "rate"],
            ([r.tier, r.headcount, r.left, r.rate] for r in rows),
        ),
    )


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Rating distribution of a cycle by org unit, manager or job level."
    )
    async def rating_distribution(
        self, info: Ctx, cycle_id: strawberry.ID, group_by: DistributionGrouping
    ) -> RatingDistributionReport | None:
        if not info.context.principal.is_hr:
            return None
        rows = await ReportRepository(info.context.session).rating_distribution(
            parse_id(cycle_id, "cycleId"), group_by=group_by.value
        )
        return _distribution(rows)

    @strawberry.field(description="Reviews done per phase of a cycle.")
    async def completion_by_phase(
        self, info: Ctx, cycle_id: strawberry.ID
    ) -> PhaseCompletionReport | None:
        if not info.context.principal.is_hr:
            return None
        rows = await ReportRepository(info.context.session).completion_by_phase(
            parse_id(cycle_id, "cycleId")
        )
        return _phases(rows)

    @strawberry.field(description="Individual goals completed and average progress per org unit.")
    async def goal_completion(
        self, info: Ctx, cycle_id: strawberry.ID | None = None
    ) -> GoalCompletionReport | None:
        if not info.context.principal.is_hr:
            return None
        rows = await ReportRepository(info.context.session).goal_completion(
            None if cycle_id is None else parse_id(cycle_id, "cycleId")
        )
        return _goals(rows)

    @strawberry.field(
        description="Turnover since a day by performance tier (latest final rating, from "
        "cycles or imported history; terminations from people's events)."
    )
    async def turnover_by_performance_tier(
        self, info: Ctx, since: dt.date
    ) -> TurnoverReport | None:
        if not info.context.principal.is_hr:
            return None
        rows = await ReportRepository(info.context.session).turnover_by_tier(since)
        return _turnover(since, rows)
