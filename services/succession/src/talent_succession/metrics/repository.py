"""Succession metrics in SQL: each report is one aggregate query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_succession.key_roles.models import KeyRole
from talent_succession.people.models import EmployeeProjection
from talent_succession.plans.models import PlanAction
from talent_succession.potential.models import HighPotentialDesignation
from talent_succession.slates.models import Nomination


@dataclass(frozen=True)
class BenchRollup:
    org_unit_code: str | None
    """None on the organisation-wide row."""
    overall: bool
    key_roles: int
    ready_now: int
    ready_soon: int
    ready_later: int
    critical_roles: int
    critical_roles_covered: int
    roles_without_successor: int
    roles_without_ready_successor: int
    vacant_roles: int


@dataclass(frozen=True)
class RoleBench:
    code: str
    title: str
    org_unit_code: str | None
    criticality: str
    vacant: bool
    ready_now: int
    ready_soon: int
    ready_later: int
    emergency: int


@dataclass(frozen=True)
class Retention:
    designated: int
    retained: int
    terminated: int


@dataclass(frozen=True)
class ActionCompletion:
    kind: str | None
    """None on the all-kinds row."""
    total: int
    completed: int
    open: int
    overdue: int
    cancelled: int


def _per_role() -> Any:
    """Each key role with its current successors counted by readiness."""
    ready = Nomination.readiness
    return (
        select(
            KeyRole.id,
            KeyRole.code,
            KeyRole.title,
            KeyRole.org_unit_code,
            KeyRole.criticality,
            KeyRole.incumbent_id.is_(None).label("vacant"),
            func.count(Nomination.id).filter(ready == "ready_now").label("ready_now"),
            func.count(Nomination.id).filter(ready == "ready_1_2_years").label("ready_soon"),
            func.count(Nomination.id).filter(ready == "ready_3_plus_years").label("ready_later"),
            func.count(Nomination.id).filter(Nomination.emergency).label("emergency"),
        )
        .select_from(KeyRole)
        .outerjoin(
            Nomination,
            and_(Nomination.key_role_id == KeyRole.id, Nomination.removed_on.is_(None)),
        )
        .group_by(KeyRole.id)
    )


class MetricsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def bench_rollup(self) -> list[BenchRollup]:
        """One row per org unit and one for the whole organisation (ROLLUP)."""
        roles = _per_role().subquery("roles")
        total = roles.c.ready_now + roles.c.ready_soon + roles.c.ready_later
        critical = roles.c.criticality == "high"
        statement = select(
            roles.c.org_unit_code,
            func.grouping(roles.c.org_unit_code).label("overall"),
            func.count(),
            func.coalesce(func.sum(roles.c.ready_now), 0),
            func.coalesce(func.sum(roles.c.ready_soon), 0),
            func.coalesce(func.sum(roles.c.ready_later), 0),
            func.count().filter(critical),
            func.count().filter(and_(critical, roles.c.ready_now > 0)),
            func.count().filter(total == 0),
            func.count().filter(roles.c.ready_now == 0),
            func.count().filter(roles.c.vacant),
        ).group_by(func.rollup(roles.c.org_unit_code))
        rows = await self.session.execute(statement)
        found = [
            BenchRollup(
                org_unit_code=row[0],
                overall=bool(row[1]),
                key_roles=row[2],
                ready_now=int(row[3]),
                ready_soon=int(row[4]),
                ready_later=int(row[5]),
                critical_roles=row[6],
                critical_roles_covered=row[7],
                roles_without_successor=row[8],
                roles_without_ready_successor=row[9],
                vacant_roles=row[10],
            )
            for row in rows.all()
        ]
        if not any(r.overall for r in found):  # ROLLUP of no rows returns nothing
            found.append(BenchRollup(None, True, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        return sorted(found, key=lambda r: (not r.overall, r.org_unit_code or ""))

    async def bench_by_role(self) -> list[RoleBench]:
        roles = _per_role().order_by(KeyRole.code)
        rows = await self.session.execute(roles)
        return [
            RoleBench(
                code=row.code,
                title=row.title,
                org_unit_code=row.org_unit_code,
                criticality=row.criticality,
                vacant=row.vacant,
                ready_now=row.ready_now,
                ready_soon=row.ready_soon,
                ready_later=row.ready_later,
                emergency=row.emergency,
            )
            for row in rows.all()
        ]

    async def hipo_retention(self, start: dt.date, end: dt.date) -> Retention:
        """Employees designated high potential on `start`; how many were still employed
        on `end` (terminations come from people's events)."""
        designated = (
            select(HighPotentialDesignation.employee_id)
            .where(
                HighPotentialDesignation.designated_on <= start,
                or_(
                    HighPotentialDesignation.ended_on.is_(None),
                    HighPotentialDesignation.ended_on > start,
                ),
            )
            .distinct()
            .subquery()
        )
        left = and_(
            EmployeeProjection.status == "terminated",
            or_(
                EmployeeProjection.terminated_on.is_(None), EmployeeProjection.terminated_on <= end
            ),
        )
        row = (
            await self.session.execute(
                select(func.count(), func.count().filter(left))
                .select_from(designated)
                .join(
                    EmployeeProjection, EmployeeProjection.employee_id == designated.c.employee_id
                )
                .where(
                    or_(
                        EmployeeProjection.terminated_on.is_(None),
                        EmployeeProjection.terminated_on > start,
                    )
                )
            )
        ).one()
        return Retention(designated=row[0], retained=row[0] - row[1], terminated=row[1])

    async def action_completion(self, today: dt.date) -> list[ActionCompletion]:
        status = PlanAction.status
        statement = select(
            PlanAction.kind,
            func.grouping(PlanAction.kind),
            func.count(),
            func.count().filter(status == "completed"),
            func.count().filter(status == "open"),
            func.count().filter(and_(status == "open", PlanAction.target_date < today)),
            func.count().filter(status == "cancelled"),
        ).group_by(func.rollup(PlanAction.kind))
        rows = (await self.session.execute(statement)).all()
        found = [
            ActionCompletion(
                kind=None if row[1] else row[0],
                total=row[2],
                completed=row[3],
                open=row[4],
                overdue=row[5],
                cancelled=row[6],
            )
            for row in rows
        ]
        if not any(r.kind is None for r in found):
            found.append(ActionCompletion(None, 0, 0, 0, 0, 0))
        return sorted(found, key=lambda r: (r.kind is not None, r.kind or ""))
