from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from talent_people.framework.models import Competency, JobProfile, JobProfileRequirement
from talent_platform.db import Repository


class CompetencyRepository(Repository[Competency]):
    model = Competency
    entity_name = "competency"

    async def by_codes(self, codes: Sequence[str]) -> dict[str, Competency]:
        rows = await self.list(select(Competency).where(Competency.code.in_(codes)))
        return {c.code: c for c in rows}


class JobProfileRepository(Repository[JobProfile]):
    model = JobProfile
    entity_name = "job profile"

    async def by_codes(self, codes: Sequence[str]) -> dict[str, JobProfile]:
        rows = await self.list(select(JobProfile).where(JobProfile.code.in_(codes)))
        return {p.code: p for p in rows}

    async def with_requirements(self, code: str) -> JobProfile | None:
        return await self.one_or_none(
            select(JobProfile)
            .where(JobProfile.code == code)
            .options(
                selectinload(JobProfile.requirements).selectinload(JobProfileRequirement.competency)
            )
        )

    async def requirements_for(
        self, profile_ids: Sequence[object]
    ) -> Sequence[JobProfileRequirement]:
        return (
            (
                await self.session.execute(
                    select(JobProfileRequirement)
                    .where(JobProfileRequirement.job_profile_id.in_(profile_ids))
                    .options(selectinload(JobProfileRequirement.competency))
                    .order_by(JobProfileRequirement.importance.desc())
                )
            )
            .scalars()
            .all()
        )
