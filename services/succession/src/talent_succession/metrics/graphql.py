from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import TalentContext
from talent_succession.metrics.repository import ActionCompletion, BenchRollup
from talent_succession.metrics.service import MetricsService
from talent_succession.plans.graphql import PlanActionKind

Ctx = Info[TalentContext, None]


@strawberry.type(description="Bench strength of a group of key roles.")
class BenchStrengthSummary:
    org_unit_code: str | None = strawberry.field(
        description="Null on the organisation-wide row (and for roles without an org unit)."
    )
    overall: bool = strawberry.field(description="True on the organisation-wide row.")
    key_roles: int = strawberry.field(description="Key roles in the group.")
    ready_now: int = strawberry.field(description="Ready-now successors, summed over the roles.")
    ready_soon: int = strawberry.field(description="Successors ready in 1-2 years.")
    ready_later: int = strawberry.field(description="Successors ready in 3+ years.")
    critical_roles: int = strawberry.field(description="Roles of high criticality.")
    critical_roles_covered: int = strawberry.field(
        description="Critical roles with at least one ready-now successor."
    )
    critical_coverage: float = strawberry.field(
        description="criticalRolesCovered / criticalRoles, 0-1 (1 when there are none)."
    )
    roles_without_successor: int = strawberry.field(
        description="Roles with no current successor at all."
    )
    roles_without_ready_successor: int = strawberry.field(
        description="Roles with no ready-now successor (those without any included)."
    )
    vacant_roles: int = strawberry.field(description="Roles without an incumbent.")

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
    overall: BenchStrengthSummary = strawberry.field(
        description="The whole organisation (zeros when there are no key roles)."
    )
    by_org_unit: list[BenchStrengthSummary] = strawberry.field(
        description="One row per org unit with key roles, by code (roles without an org "
        "unit: the row with a null code)."
    )


@strawberry.type(description="Employees designated high potential on `from`, on `to`.")
class HighPotentialRetention:
    from_: dt.date = strawberry.field(name="from", description="The first day (ISO date).")
    to: dt.date = strawberry.field(description="The last day (ISO date).")
    designated: int = strawberry.field(
        description="Employees with an open high-potential designation on `from`, employed then."
    )
    retained: int = strawberry.field(description="Of them, not terminated by `to`.")
    terminated: int = strawberry.field(description="Of them, terminated by `to`.")
    rate: float = strawberry.field(description="retained / designated, 0-1 (1 when none).")


@strawberry.type(description="Development-plan actions by status.")
class PlanActionCompletion:
    kind: PlanActionKind | None = strawberry.field(
        description="The kind of action counted; null on the all-kinds row."
    )
    total: int = strawberry.field(description="Actions of every status.")
    completed: int = strawberry.field(description="COMPLETED actions.")
    open: int = strawberry.field(description="OPEN actions, overdue ones included.")
    overdue: int = strawberry.field(description="Open past their target date.")
    cancelled: int = strawberry.field(description="CANCELLED actions.")
    rate: float = strawberry.field(
        description="completed / (total - cancelled), 0-1 (1 when nothing is due)."
    )

    @classmethod
    def of(cls, a: ActionCompletion) -> PlanActionCompletion:
        due = a.total - a.cancelled
        return cls(
            kind=None if a.kind is None else PlanActionKind(a.kind),
            total=a.total,
            completed=a.completed,
            open=a.open,
            overdue=a.overdue,
            cancelled=a.cancelled,
            rate=a.completed / due if due else 1.0,
        )


@strawberry.enum(description="Reports `successionReportCsv` exports.")
class SuccessionReport(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    BENCH_STRENGTH = strawberry.enum_value(
        "bench_strength",
        description="`benchStrengthReport`: the organisation's row first, then one per org unit.",
    )
    BENCH_STRENGTH_BY_ROLE = strawberry.enum_value(
        "bench_strength_by_role",
        description="One row per key role: code, title, org unit, criticality, vacant, "
        "successors by readiness and emergency successors.",
    )
    HIPO_RETENTION = strawberry.enum_value(
        "hipo_retention", description="`highPotentialRetention` between `from` and `to`."
    )
    PLAN_ACTION_COMPLETION = strawberry.enum_value(
        "plan_action_completion", description="`planActionCompletion`."
    )
    NINE_BOX_BY_ORG_UNIT = strawberry.enum_value(
        "nine_box_by_org_unit",
        description="Non-empty 9-box cells per org unit on `to` (default today).",
    )
    SLATE_DIVERSITY = strawberry.enum_value(
        "slate_diversity", description="`slateDiversityReport` for every attribute."
    )


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

    @strawberry.field(
        description="High-potential retention between two days (confidential: FORBIDDEN otherwise)."
    )
    async def high_potential_retention(
        self,
        info: Ctx,
        from_: Annotated[
            dt.date,
            strawberry.argument(
                name="from", description="Who was designated on this day (ISO date)."
            ),
        ],
        to: Annotated[
            dt.date,
            strawberry.argument(
                description="The day retention is measured on (ISO date), not before `from`."
            ),
        ],
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

    @strawberry.field(
        description="Plan-action completion: all kinds first, then per kind present "
        "(confidential: FORBIDDEN otherwise)."
    )
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
        report: Annotated[SuccessionReport, strawberry.argument(description="Which report.")],
        from_: Annotated[
            dt.date | None,
            strawberry.argument(
                name="from",
                description="HIPO_RETENTION only: the first day (ISO date); default a year "
                "before `to`.",
            ),
        ] = None,
        to: Annotated[
            dt.date | None,
            strawberry.argument(
                description="The last day for HIPO_RETENTION, the day for "
                "NINE_BOX_BY_ORG_UNIT (ISO date); default today."
            ),
        ] = None,
    ) -> str | None:
        service = MetricsService(info.context.session, info.context.principal)
        return await service.csv_export(report.value, start=from_, end=to)
