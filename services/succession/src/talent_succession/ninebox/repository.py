"""The 9-box in SQL: each placement is (performance level, potential level) from the
latest calibrated rating and the latest potential assessment on or before a day.

Ratings 1-2 are low performance, 3 medium, 4-5 high. Every grid is one aggregate query
(DISTINCT ON over the `*_latest` indexes, grouped in the database).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.selectable import CTE

from talent_succession.dates import today
from talent_succession.key_roles.models import KeyRole
from talent_succession.ninebox.models import CurrentPlacement
from talent_succession.people.models import EmployeeProjection
from talent_succession.potential.models import PotentialAssessment
from talent_succession.ratings.models import CalibratedRating
from talent_succession.slates.models import Nomination


@dataclass(frozen=True)
class CellCount:
    group: str | None
    performance: str
    potential: str
    count: int


@dataclass(frozen=True)
class Move:
    from_performance: str | None
    from_potential: str | None
    to_performance: str | None
    to_potential: str | None
    count: int


def performance_level(rating: ColumnElement[Any] | QueryableAttribute[Any]) -> ColumnElement[str]:
    return case((rating <= 2, literal("low")), (rating == 3, literal("medium")), else_="high")


def placements(as_of: dt.date, name: str) -> CTE:
    """Employees placed on `as_of`: (employee_id, performance, potential). From today on,
    the maintained `current_placement` rows; for past days, the history."""
    if as_of >= today():
        return (
            select(
                CurrentPlacement.employee_id,
                performance_level(CurrentPlacement.overall_rating).label("performance"),
                CurrentPlacement.potential.label("potential"),
            )
            .where(
                CurrentPlacement.overall_rating.is_not(None),
                CurrentPlacement.potential.is_not(None),
            )
            .cte(name)
        )
    perf = (
        select(CalibratedRating.employee_id, CalibratedRating.overall_rating)
        .where(CalibratedRating.rated_on <= as_of)
        .ext(distinct_on(CalibratedRating.employee_id))
        .order_by(CalibratedRating.employee_id, CalibratedRating.rated_on.desc())
        .cte(f"{name}_perf")
    )
    pot = (
        select(PotentialAssessment.employee_id, PotentialAssessment.potential)
        .where(PotentialAssessment.assessed_on <= as_of)
        .ext(distinct_on(PotentialAssessment.employee_id))
        .order_by(
            PotentialAssessment.employee_id,
            PotentialAssessment.assessed_on.desc(),
            PotentialAssessment.created_at.desc(),
        )
        .cte(f"{name}_pot")
    )
    return (
        select(
            perf.c.employee_id,
            performance_level(perf.c.overall_rating).label("performance"),
            pot.c.potential.label("potential"),
        )
        .join(pot, pot.c.employee_id == perf.c.employee_id)
        .cte(name)
    )


def employed_on(as_of: dt.date) -> ColumnElement[bool]:
    return and_(
        or_(EmployeeProjection.hire_date.is_(None), EmployeeProjection.hire_date <= as_of),
        or_(
            EmployeeProjection.status == "active",
            EmployeeProjection.terminated_on > as_of,
        ),
    )


class NineBoxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_org_unit(
        self,
        as_of: dt.date,
        *,
        org_unit_code: str | None = None,
        grouped: bool = True,
        exclude: uuid.UUID | None = None,
    ) -> list[CellCount]:
        placed = placements(as_of, "placed")
        group = EmployeeProjection.org_unit_code if grouped else literal(None)
        statement = (
            select(group.label("grp"), placed.c.performance, placed.c.potential, func.count())
            .join(EmployeeProjection, EmployeeProjection.employee_id == placed.c.employee_id)
            .where(employed_on(as_of))
            .group_by(group, placed.c.performance, placed.c.potential)
        )
        if org_unit_code is not None:
            statement = statement.where(EmployeeProjection.org_unit_code == org_unit_code)
        if exclude is not None:
            statement = statement.where(EmployeeProjection.employee_id != exclude)
        rows = await self.session.execute(statement)
        return [CellCount(g, perf, pot, n) for g, perf, pot, n in rows.all()]

    async def by_slate(
        self,
        as_of: dt.date,
        *,
        key_role_ids: Collection[uuid.UUID] | None = None,
        exclude: uuid.UUID | None = None,
    ) -> list[CellCount]:
        """Counts of each key role's current successors per box (group = role code)."""
        placed = placements(as_of, "placed")
        statement = (
            select(KeyRole.code, placed.c.performance, placed.c.potential, func.count())
            .select_from(Nomination)
            .join(KeyRole, KeyRole.id == Nomination.key_role_id)
            .join(placed, placed.c.employee_id == Nomination.employee_id)
            .where(Nomination.removed_on.is_(None))
            .group_by(KeyRole.code, placed.c.performance, placed.c.potential)
        )
        if key_role_ids is not None:
            statement = statement.where(KeyRole.id.in_(key_role_ids))
        if exclude is not None:
            statement = statement.where(Nomination.employee_id != exclude)
        rows = await self.session.execute(statement)
        return [CellCount(code, perf, pot, n) for code, perf, pot, n in rows.all()]

    async def movement(
        self,
        start: dt.date,
        end: dt.date,
        *,
        org_unit_code: str | None = None,
        exclude: uuid.UUID | None = None,
    ) -> list[Move]:
        """How many employees (employed on `end`) moved from each box to each box;
        None on a side where they were not placed."""
        before = placements(start, "before")
        after = placements(end, "after")
        statement = (
            select(
                before.c.performance,
                before.c.potential,
                after.c.performance,
                after.c.potential,
                func.count(),
            )
            .select_from(EmployeeProjection)
            .outerjoin(before, before.c.employee_id == EmployeeProjection.employee_id)
            .outerjoin(after, after.c.employee_id == EmployeeProjection.employee_id)
            .where(
                employed_on(end),
                or_(before.c.employee_id.is_not(None), after.c.employee_id.is_not(None)),
            )
            .group_by(
                before.c.performance, before.c.potential, after.c.performance, after.c.potential
            )
        )
        if org_unit_code is not None:
            statement = statement.where(EmployeeProjection.org_unit_code == org_unit_code)
        if exclude is not None:
            statement = statement.where(EmployeeProjection.employee_id != exclude)
        rows = await self.session.execute(statement)
        return [Move(a, b, c, d, n) for a, b, c, d, n in rows.all()]

    async def placement_of(
        self, employee_ids: Collection[uuid.UUID], as_of: dt.date
    ) -> dict[uuid.UUID, tuple[str, str]]:
        perf = (
            select(CalibratedRating.employee_id, CalibratedRating.overall_rating)
            .where(
                CalibratedRating.employee_id.in_(employee_ids), CalibratedRating.rated_on <= as_of
            )
            .ext(distinct_on(CalibratedRating.employee_id))
            .order_by(CalibratedRating.employee_id, CalibratedRating.rated_on.desc())
            .subquery()
        )
        pot = (
            select(PotentialAssessment.employee_id, PotentialAssessment.potential)
            .where(
                PotentialAssessment.employee_id.in_(employee_ids),
                PotentialAssessment.assessed_on <= as_of,
            )
            .ext(distinct_on(PotentialAssessment.employee_id))
            .order_by(
                PotentialAssessment.employee_id,
                PotentialAssessment.assessed_on.desc(),
                PotentialAssessment.created_at.desc(),
            )
            .subquery()
        )
        rows = await self.session.execute(
            select(
                perf.c.employee_id, performance_level(perf.c.overall_rating), pot.c.potential
            ).join(pot, pot.c.employee_id == perf.c.employee_id)
        )
        return {employee_id: (p, q) for employee_id, p, q in rows.all()}
