from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import TalentContext
from talent_succession.metrics.repository import ActionCompletion, BenchRollup
from talent_succession.metrics.service import MetricsService

Ctx = Info[TalentContext, None]


@strawberry.type(description="Bench strength of a group of key roles.")
class BenchStrengthSummary:
    org_unit_code: str | None = strawberry.field(
        description="Null on the organisation-wide row (and for roles without an org unit)."
    )
    overall: bool = strawberry.field(description="True on the organisation-wide row.")
    key_roles: int
    ready_now: int = strawberry.field(description="Ready-now successors, summed over the roles.")
    ready_soon: int = strawberry.field(description="Successors ready in 1-2 years.")
    ready_later: int = strawberry.field(description="Successors ready in 3+ years.")
    critical_roles: int = strawberry.field(description="Roles of high criticality.")
    critical_roles_covered: int = strawberry.field(
        description="Critical roles with at least one ready-now successor."
    )
    critical_coverage: float = strawberry.field(
        description="critical_roles_covered / critical_roles (1 when there are none)."
    )
    roles_without_successor: int
    roles_without_ready_successor: int
    vacant_roles: int

    @classmethod
    def of(cls, r: BenchRollup) -> BenchStrengthSummary:
        return cls(
            org_unit_code=r.org_unit_code,
            overall=r.overall,
            key_roles=r.key_roles,
            ready_now=r.ready_now,
            ready_soon=r.ready_soon,
            ready_later=r.ready_later,
            critical_roles=r.critical_roles,
            critical_roles_covered=r.critical_roles_covered,
            critical_coverage=(
                r.critical_roles_covered / r.critical_roles if r.critical_roles else 1.0
            ),
            roles_without_successor=r.roles_without_successor,
            roles_without_ready_successor=r.roles_without_ready_successor,
            vacant_roles=r.vacant_roles,
        )


@strawberry.type(description="Bench strength: the organisation and each org unit.")
class BenchStrengthReport:
    overall: BenchStrengthSummary
    by_org_unit: list[BenchStrengthSummary]


@strawberry.type(description="Employees designated high potential on `from`, on `to`.")
class HighPotentialRetention:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    designated: int
    retained: int
    terminated: int
    rate: float = strawberry.field(description="retained / designated (1 when none).")


@strawberry.type(description="Development-plan actions by status.")
class PlanActionCompletion:
    kind: str | None = strawberry.field(description="Null on the all-kinds row.")
    total: int
    completed: int
    open: int
    overdue: int = strawberry.field(description="Open past their target date.")
    cancelled: int
    rate: float = strawberry.field(
        description="completed / (total - cancelled) (1 when nothing is due)."
    )

    @classmethod
    def of(cls, a: ActionCompletion) -> PlanActionCompletion:
        due = a.total - a.cancelled
        return cls(
            kind=a.kind,
            total=a.total,
            completed=a.completed,
            open=a.open,
            overdue=a.overdue,
            cancelled=a.cancelled,
            rate=a.completed / due if due else 1.0,
        )


@strawberry.enum(description="Reports `successionReportCsv` exports.")
class SuccessionReport(Enum):
    BENCH_STRENGTH = "bench_strength"
    BENCH_STRENGTH_BY_ROLE = "bench_strength_by_role"
    HIPO_RETENTION = "hipo_retention"
    PLAN_ACTION_COMPLETION = "plan_action_completion"
    NINE_BOX_BY_ORG_UNIT = "nine_box_by_org_unit"
    SLATE_DIVERSITY = "slate_diversity"


@strawberry.type
class MetricsQuery:
    @strawberry.field(
        description="Bench strength rolled up for the organisation and per org unit "
        "(confidential: FORBIDDEN otherwise). Per role: `keyRoles { benchStrength }`."
    )
    async def bench_strength_report(self, info: Ctx) -> BenchStrengthReport | None:
        rows = await MetricsService(info.context.session, info.context.principal).bench_rollup()
        summaries = [BenchStrengthSummary.of(r) for r in rows]
        return BenchStrengthReport(
            overall=next(s for s in summaries if s.overall),
            by_org_unit=[s for s in summaries if not s.overall],
        )

    @strawberry.field(description="High-potential retention between two days.")
    async def high_potential_retention(
        self, info: Ctx, from_: Annotated[dt.date, strawberry.argument(name="from")], to: dt.date
    ) -> HighPotentialRetention | None:
        service = MetricsService(info.context.session, info.context.principal)
        r = await service.hipo_retention(from_, to)
        return HighPotentialRetention(
            from_=from_,
            to=to,
            designated=r.designated,
            retained=r.retained,
            terminated=r.terminated,
            rate=r.retained / r.designated if r.designated else 1.0,
        )

    @strawberry.field(description="Plan-action completion: all kinds first, then per kind.")
    async def plan_action_completion(self, info: Ctx) -> list[PlanActionCompletion] | None:
        service = MetricsService(info.context.session, info.context.principal)
        return [PlanActionCompletion.of(a) for a in await service.action_completion()]

    @strawberry.field(
        description="A report as CSV text (header row first). `from`/`to` apply to "
        "HIPO_RETENTION (default: the last 12 months) and `to` to NINE_BOX_BY_ORG_UNIT."
    )
    async def succession_report_csv(
        self,
        info: Ctx,
        report: SuccessionReport,
        from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
        to: dt.date | None = None,
    ) -> str | None:
        service = MetricsService(info.context.session, info.context.principal)
        return await service.csv_export(report.value, start=from_, end=to)
