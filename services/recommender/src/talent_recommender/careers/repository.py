"""Career paths from the job history the recommender keeps (people's job-history
events): who moved from one job profile to which next one, and after how long."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Float, cast, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_recommender.ingest.models import (
    Competency,
    Employee,
    JobHistory,
    JobProfile,
    JobRequirement,
)

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Step:
    """A competency the next job profile asks more of than the previous one."""

    competency_code: str
    competency_name: str
    from_level: int
    """Required in the previous job profile (0 when it is not required there)."""
    to_level: int
    importance: int


@dataclass(frozen=True)
class Move:
    job_profile_code: str
    title: str
    count: int
    """People who made the move (each counted once)."""
    median_months: float
    """Median months in the previous job profile before the move."""
    steps: tuple[Step, ...] = ()


class CareerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def job_profile_of(self, employee_id: uuid.UUID) -> str | None:
        """The employee's current job profile code (None without one or unknown)."""
        return await self.session.scalar(
            select(Employee.job_profile_code).where(Employee.employee_id == employee_id)
        )

    async def next_moves(self, code: str, *, first: int, min_movers: int) -> list[Move]:
        """The job profiles people moved to from `code`, most common first (ties by
        code), counting only moves at least `min_movers` people made. Only the histories
        of people who ever held `code` are read (index on job_profile_code)."""
        held = select(JobHistory.employee_id).where(JobHistory.job_profile_code == code).distinct()
        by, when = JobHistory.employee_id, JobHistory.start_date
        ordered = (
            select(
                JobHistory.employee_id,
                JobHistory.job_profile_code,
                JobHistory.start_date,
                func.lead(JobHistory.job_profile_code)
                .over(partition_by=by, order_by=when)
                .label("next_code"),
                func.lead(JobHistory.start_date)
                .over(partition_by=by, order_by=when)
                .label("next_start"),
            )
            .where(JobHistory.employee_id.in_(held.scalar_subquery()))
            .subquery()
        )
        movers = func.count(distinct(ordered.c.employee_id))
        months = cast(ordered.c.next_start - ordered.c.start_date, Float) / literal(DAYS_PER_MONTH)
        median = func.percentile_cont(0.5).within_group(months)
        rows = await self.session.execute(
            select(ordered.c.next_code, JobProfile.title, movers, median)
            .join(JobProfile, JobProfile.code == ordered.c.next_code)
            .where(
                ordered.c.job_profile_code == code,
                ordered.c.next_code.is_not(None),
                ordered.c.next_code != code,
                # Two records starting the same day are a correction, not a move.
                ordered.c.next_start > ordered.c.start_date,
            )
            .group_by(ordered.c.next_code, JobProfile.title)
            .having(movers >= min_movers)
            .order_by(movers.desc(), ordered.c.next_code)
            .limit(first)
        )
        found = [Move(c, title, n, round(float(m), 1)) for c, title, n, m in rows.all()]
        steps = await self._steps(code, [m.job_profile_code for m in found])
        return [
            Move(
                m.job_profile_code,
                m.title,
                m.count,
                m.median_months,
                steps.get(m.job_profile_code, ()),
            )
            for m in found
        ]

    async def _steps(self, code: str, targets: Sequence[str]) -> dict[str, tuple[Step, ...]]:
        """For each target, the competencies it requires at a higher level than `code`
        does, most important first, then by the size of the step."""
        if not targets:
            return {}
        before = (
            select(JobRequirement.competency_code, JobRequirement.required_level)
            .where(JobRequirement.job_profile_code == code)
            .subquery()
        )
        from_level = func.coalesce(before.c.required_level, 0)
        rows = await self.session.execute(
            select(
                JobRequirement.job_profile_code,
                JobRequirement.competency_code,
                func.coalesce(Competency.name, JobRequirement.competency_code),
                from_level,
                JobRequirement.required_level,
                JobRequirement.importance,
            )
            .outerjoin(Competency, Competency.code == JobRequirement.competency_code)
            .outerjoin(before, before.c.competency_code == JobRequirement.competency_code)
            .where(
                JobRequirement.job_profile_code.in_(targets),
                JobRequirement.required_level > from_level,
            )
            .order_by(
                JobRequirement.job_profile_code,
                JobRequirement.importance.desc(),
                (JobRequirement.required_level - from_level).desc(),
                JobRequirement.competency_code,
            )
        )
        steps: dict[str, list[Step]] = {}
        for target, competency, name, was, now, importance in rows.all():
            steps.setdefault(target, []).append(Step(competency, name, was, now, importance))
        return {target: tuple(found) for target, found in steps.items()}
