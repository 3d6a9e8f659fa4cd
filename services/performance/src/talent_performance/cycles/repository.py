from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Date, case, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import aliased

from talent_performance.cycles.models import CyclePhaseDeadline, ReviewCycle
from talent_performance.people.models import EmployeeProjection
from talent_performance.reviews.models import Review
from talent_platform.db import Repository
from talent_platform.employees import reports_of, scoped_to

SUBMITTED = ("submitted", "signed_off")


@dataclass(frozen=True)
class KindCompletion:
    kind: str
    total: int
    submitted: int
    signed_off: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.submitted / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class DailyCompletion:
    day: dt.date
    kind: str
    submitted: int
    """Reviews of this kind submitted by the end of the day (cumulative)."""


@dataclass(frozen=True)
class BehindRow:
    review_id: uuid.UUID
    kind: str
    status: str
    employee_id: uuid.UUID
    employee_name: str
    reviewer_id: uuid.UUID | None
    manager_id: uuid.UUID | None
    manager_name: str | None
    escalation_manager_id: uuid.UUID | None
    escalation_manager_name: str | None


class CycleRepository(Repository[ReviewCycle]):
    model = ReviewCycle
    entity_name = "review cycle"

    async def by_code(self, code: str) -> ReviewCycle | None:
        return await self.one_or_none(select(ReviewCycle).where(ReviewCycle.code == code))

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ReviewCycle]:
        rows = await self.list(select(ReviewCycle).where(ReviewCycle.id.in_(ids)))
        return {c.id: c for c in rows}

    async def page(
        self, *, status: str | None, offset: int, limit: int
    ) -> tuple[Sequence[ReviewCycle], int]:
        statement = select(ReviewCycle).order_by(ReviewCycle.created_at.desc(), ReviewCycle.id)
        if status is not None:
            statement = statement.where(ReviewCycle.status == status)
        return await self.paginate(statement, offset=offset, limit=limit)

    async def deadlines(
        self, cycle_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[CyclePhaseDeadline]]:
        rows = await self.session.scalars(
            select(CyclePhaseDeadline)
            .where(CyclePhaseDeadline.cycle_id.in_(cycle_ids))
            .order_by(CyclePhaseDeadline.cycle_id, CyclePhaseDeadline.position)
        )
        grouped: dict[uuid.UUID, list[CyclePhaseDeadline]] = defaultdict(list)
        for row in rows:
            grouped[row.cycle_id].append(row)
        return grouped

    async def population(self, cycle_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).where(
                    Review.cycle_id == cycle_id, Review.kind == "self", Review.status != "cancelled"
                )
            )
            or 0
        )

    async def completion(
        self, cycle_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[KindCompletion]]:
        rows = await self.session.execute(
            select(
                Review.cycle_id,
                Review.kind,
                func.count(),
                func.count().filter(Review.status.in_(SUBMITTED)),
                func.count().filter(Review.status == "signed_off"),
            )
            .where(Review.cycle_id.in_(cycle_ids), Review.status != "cancelled")
            .group_by(Review.cycle_id, Review.kind)
        )
        grouped: dict[uuid.UUID, list[KindCompletion]] = defaultdict(list)
        for cycle_id, kind, total, submitted, signed_off in rows.all():
            grouped[cycle_id].append(KindCompletion(kind, total, submitted, signed_off))
        order = {"self": 0, "peer": 1, "manager": 2}
        for found in grouped.values():
            found.sort(key=lambda c: order.get(c.kind, 9))
        return grouped

    async def completion_over_time(
        self, cycle_id: uuid.UUID, scope: Collection[str] | None = None
    ) -> list[DailyCompletion]:
        in_scope = scoped_to(Review.employee_id, EmployeeProjection, scope)
        day = sql_cast(func.timezone("UTC", Review.submitted_at), Date)
        daily = (
            select(Review.kind.label("kind"), day.label("day"), func.count().label("n"))
            .where(
                Review.cycle_id == cycle_id,
                Review.status.in_(SUBMITTED),
                Review.submitted_at.is_not(None),
                *in_scope,
            )
            .group_by(Review.kind, day)
            .subquery()
        )
        running = func.sum(daily.c.n).over(partition_by=daily.c.kind, order_by=daily.c.day)
        rows = await self.session.execute(
            select(daily.c.day, daily.c.kind, running).order_by(daily.c.day, daily.c.kind)
        )
        return [DailyCompletion(d, k, int(n)) for d, k, n in rows.all()]

    async def behind(
        self,
        cycle_id: uuid.UUID,
        *,
        kind: str,
        pending: Sequence[str],
        below: uuid.UUID | None = None,
        scope: Collection[str] | None = None,
        offset: int,
        limit: int,
    ) -> tuple[list[BehindRow], int]:
        """Reviews of `kind` still in one of the `pending` statuses (of employees in
        `below`'s reporting chain, or inside an HR org `scope`, when given), ordered by the
        employee's manager then the employee, with the manager's own manager."""
        employee = aliased(EmployeeProjection)
        manager = aliased(EmployeeProjection)
        above = aliased(EmployeeProjection)
        where: tuple[ColumnElement[bool], ...] = (
            Review.cycle_id == cycle_id,
            Review.kind == kind,
            Review.status.in_(pending),
        )
        if below is not None:
            chain = reports_of(EmployeeProjection, below)
            where = (*where, Review.employee_id.in_(select(chain.c.employee_id)))
        where = (*where, *scoped_to(Review.employee_id, EmployeeProjection, scope))
        total = int(await self.session.scalar(select(func.count()).where(*where)) or 0)
        rows = await self.session.execute(
            select(
                Review.id,
                Review.kind,
                Review.status,
                Review.employee_id,
                employee.name,
                Review.reviewer_id,
                manager.employee_id,
                manager.name,
                above.employee_id,
                above.name,
            )
            .join(employee, employee.employee_id == Review.employee_id)
            .outerjoin(manager, manager.employee_id == employee.manager_id)
            .outerjoin(above, above.employee_id == manager.manager_id)
            .where(*where)
            .order_by(
                case((manager.name.is_(None), 1), else_=0),
                manager.name,
                manager.employee_id,
                employee.name,
                Review.id,
            )
            .offset(offset)
            .limit(limit)
        )
        return [BehindRow(*cast(tuple[Any, ...], row)) for row in rows.all()], total
