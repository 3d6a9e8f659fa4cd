from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from talent_performance.people.models import EmployeeProjection, JobProfileProjection
from talent_platform.db import Repository
from talent_platform.employees import EmployeeRepository


class EmployeeProjectionRepository(EmployeeRepository[EmployeeProjection]):
    model = EmployeeProjection


class JobProfileRepository(Repository[JobProfileProjection]):
    model = JobProfileProjection
    entity_name = "job profile"

    async def by_codes(self, codes: Collection[str]) -> Sequence[JobProfileProjection]:
        return await self.list(
            select(JobProfileProjection).where(JobProfileProjection.code.in_(codes))
        )
