"""The talent-metrics reports HR reads (each also exported as CSV): rating distributions
before and after calibration, completion by phase, goal completion, and turnover by
performance tier. One aggregate query each. A repository made with an HR org scope
(a scoped hr_coordinator's) counts only the employees now in those org units."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from talent_performance.cycles.models import CyclePhaseDeadline
from talent_performance.cycles.service import pending_of
from talent_performance.goals.models import Goal
from talent_performance.imports.models import HistoricalRating
from talent_performance.people.models import EmployeeProjection, JobProfileProjection
from talent_performance.reviews.models import Review
from talent_platform.employees import scoped_to

RATINGS = (1, 2, 3, 4, 5)
TRACKED_PHASES = ("self_review", "peer_feedback", "manager_review", "sign_off")
GROUPINGS = ("org_unit", "manager", "job_level")


@dataclass(frozen=True)
class DistributionRow:
    group: str
    label: str
    before: tuple[int, ...]
    after: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.before)


@dataclass(frozen=True)
class PhaseCompletionRow:
    phase: str
    kind: str
    due_on: dt.date | None
    total: int
    done: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class GoalCompletionRow:
    org_unit: str
    goals: int
    completed: int
    average_progress: float


@dataclass(frozen=True)
class TurnoverRow:
    tier: str
    headcount: int
    left: int

    @property
    def rate(self) -> float:
        return round(100.0 * self.left / self.headcount, 1) if self.headcount else 0.0


class ReportRepository:
    def __init__(self, session: AsyncSession, scope: Collection[str] | None = None) -> None:
        self.session = session
        self.scope = scope

    def _scoped(self, employee_id: Any) -> list[ColumnElement[bool]]:
        return scoped_to(employee_id, EmployeeProjection, self.scope)

    async def rating_distribution(
        self, cycle_id: uuid.UUID, *, group_by: str
    ) -> list[DistributionRow]:
        """Submitted manager ratings (before) and final ratings (after calibration)."""
        employee = aliased(EmployeeProjection)
        manager = aliased(EmployeeProjection)
        profile = aliased(JobProfileProjection)
        if group_by == "org_unit":
            key = func.coalesce(employee.org_unit_code, "")
            label = key
        elif group_by == "manager":
            key = func.coalesce(cast(employee.manager_id, String), "")
            label = func.coalesce(func.max(manager.name), "(no manager)")
        else:
            key = func.coalesce(cast(profile.level, String), "")
            label = key
        after = func.coalesce(Review.calibrated_rating, Review.overall_rating)
        columns = [func.count().filter(Review.overall_rating == r) for r in RATINGS] + [
            func.count().filter(after == r) for r in RATINGS
        ]
        statement = (
            select(key, label, *columns)
            .select_from(Review)
            .join(employee, employee.employee_id == Review.employee_id)
            .outerjoin(manager, manager.employee_id == employee.manager_id)
            .outerjoin(profile, profile.code == employee.job_profile_code)
            .where(
                Review.cycle_id == cycle_id,
                Review.kind == "manager",
                Review.status.in_(("submitted", "signed_off")),
                *self._scoped(Review.employee_id),
            )
            .group_by(key)
            .order_by(key)
        )
        rows = await self.session.execute(statement)
        return [
            DistributionRow(
                group=str(group),
                label=str(name),
                before=tuple(int(n) for n in counts[:5]),
                after=tuple(int(n) for n in counts[5:]),
            )
            for group, name, *counts in rows.all()
        ]

    async def completion_by_phase(self, cycle_id: uuid.UUID) -> list[PhaseCompletionRow]:
        deadlines = {
            d.phase: d.due_on
            for d in await self.session.scalars(
                select(CyclePhaseDeadline).where(CyclePhaseDeadline.cycle_id == cycle_id)
            )
        }
        rows = await self.session.execute(
            select(
                Review.kind,
                func.count(),
                func.count().filter(Review.status.in_(("submitted", "signed_off"))),
                func.count().filter(Review.status == "signed_off"),
            )
            .where(
                Review.cycle_id == cycle_id,
                Review.status != "cancelled",
                *self._scoped(Review.employee_id),
            )
            .group_by(Review.kind)
        )
        by_kind = {
            kind: (total, submitted, signed) for kind, total, submitted, signed in rows.all()
        }
        result = []
        for phase in TRACKED_PHASES:
            kind, _ = pending_of(phase)
            total, submitted, signed = by_kind.get(kind, (0, 0, 0))
            done = signed if phase == "sign_off" else submitted
            result.append(PhaseCompletionRow(phase, kind, deadlines.get(phase), total, done))
        return result

    async def goal_completion(self, cycle_id: uuid.UUID | None) -> list[GoalCompletionRow]:
        unit = func.coalesce(EmployeeProjection.org_unit_code, "")
        statement = (
            select(
                unit,
                func.count(),
                func.count().filter(Goal.status == "completed"),
                func.coalesce(func.avg(Goal.progress), 0),
            )
            .select_from(Goal)
            .join(EmployeeProjection, EmployeeProjection.employee_id == Goal.owner_id)
            .where(
                Goal.scope == "individual",
                Goal.status != "cancelled",
                *self._scoped(Goal.owner_id),
            )
            .group_by(unit)
            .order_by(unit)
        )
        if cycle_id is not None:
            statement = statement.where(Goal.cycle_id == cycle_id)
        rows = await self.session.execute(statement)
        return [
            GoalCompletionRow(str(u), int(n), int(done), round(float(avg), 1))
            for u, n, done, avg in rows.all()
        ]

    async def turnover_by_tier(self, since: dt.date) -> list[TurnoverRow]:
        """Employees on the payroll on `since`, by the tier of their latest final rating
        (cycle or imported history), and how many of them left since (people's
        termination events)."""
        cycle_ratings = select(
            Review.employee_id.label("employee_id"),
            cast(func.timezone("UTC", Review.submitted_at), Date).label("rated_on"),
            func.coalesce(Review.calibrated_rating, Review.overall_rating).label("rating"),
        ).where(Review.kind == "manager", Review.status.in_(("submitted", "signed_off")))
        imported = select(
            HistoricalRating.employee_id,
            HistoricalRating.rated_on,
            HistoricalRating.overall_rating,
        )
        ratings = union_all(cycle_ratings, imported).subquery()
        latest = (
            select(
                ratings.c.employee_id,
                ratings.c.rating,
                func.row_number()
                .over(partition_by=ratings.c.employee_id, order_by=ratings.c.rated_on.desc())
                .label("n"),
            )
            .where(ratings.c.rated_on <= literal(dt.date.today(), Date))
            .subquery()
        )
        rating = latest.c.rating
        tier = case(
            (rating.is_(None), "unrated"),
            (rating <= 2, "low"),
            (rating == 3, "solid"),
            else_="high",
        )
        left = and_(
            EmployeeProjection.terminated_on.is_not(None),
            EmployeeProjection.terminated_on >= since,
        )
        rows = await self.session.execute(
            select(tier, func.count(), func.sum(case((left, 1), else_=0), type_=Integer))
            .select_from(EmployeeProjection)
            .outerjoin(
                latest,
                and_(latest.c.employee_id == EmployeeProjection.employee_id, latest.c.n == 1),
            )
            .where(
                EmployeeProjection.hire_date <= since,
                or_(
                    EmployeeProjection.terminated_on.is_(None),
                    EmployeeProjection.terminated_on >= since,
                ),
                *self._scoped(EmployeeProjection.employee_id),
            )
            .group_by(tier)
        )
        found = {t: (int(n), int(gone or 0)) for t, n, gone in rows.all()}
        return [TurnoverRow(t, *found.get(t, (0, 0))) for t in ("high", "solid", "low", "unrated")]
