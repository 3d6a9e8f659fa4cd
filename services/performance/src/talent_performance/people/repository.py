from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import CTE, Integer, literal_column, select
from sqlalchemy.orm import aliased

from talent_performance.people.models import EmployeeProjection, JobProfileProjection
from talent_platform.db import Repository

# Longer chains than this are treated as broken data (a cycle people has not caught).
MAX_CHAIN_DEPTH = 64


def reports_of(manager_id: uuid.UUID) -> CTE:
    """Everyone below `manager_id` in the reporting lines (a recursive CTE with one
    column, `employee_id`), at most MAX_CHAIN_DEPTH levels deep."""
    start = (
        select(
            EmployeeProjection.employee_id.label("employee_id"),
            literal_column("1", Integer).label("depth"),
        )
        .where(EmployeeProjection.manager_id == manager_id)
        .cte("reports", recursive=True)
    )
    below = aliased(EmployeeProjection)
    return start.union_all(
        select(below.employee_id, start.c.depth + 1)
        .join(below, below.manager_id == start.c.employee_id)
        .where(start.c.depth < MAX_CHAIN_DEPTH)
    )


class EmployeeProjectionRepository(Repository[EmployeeProjection]):
    model = EmployeeProjection
    entity_name = "employee"

    async def ids_by_number(self) -> dict[str, uuid.UUID]:
        """Every employee number and its id (CSV files name employees by number)."""
        rows = await self.session.execute(
            select(EmployeeProjection.employee_number, EmployeeProjection.employee_id)
        )
        return {number: employee_id for number, employee_id in rows.all()}

    async def managed_by(
        self, manager_id: uuid.UUID, employee_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `employee_ids` who have `manager_id` anywhere up their reporting chain.

        Walks up from the given employees (never down from the manager, whose whole
        organisation may be large), so a cycle in the data ends the walk at the depth cap.
        """
        if not employee_ids:
            return set()
        start = (
            select(
                EmployeeProjection.employee_id.label("employee_id"),
                EmployeeProjection.manager_id.label("manager_id"),
                literal_column("1", Integer).label("depth"),
            )
            .where(
                EmployeeProjection.employee_id.in_(employee_ids),
                EmployeeProjection.manager_id.is_not(None),
            )
            .cte("chain", recursive=True)
        )
        above = aliased(EmployeeProjection)
        chain = start.union_all(
            select(start.c.employee_id, above.manager_id, start.c.depth + 1)
            .join(above, above.employee_id == start.c.manager_id)
            .where(
                above.manager_id.is_not(None),
                start.c.manager_id != manager_id,
                start.c.depth < MAX_CHAIN_DEPTH,
            )
        )
        rows = await self.session.execute(
            select(chain.c.employee_id).where(chain.c.manager_id == manager_id).distinct()
        )
        return set(rows.scalars().all())

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, EmployeeProjection]:
        if not ids:
            return {}
        rows = await self.list(
            select(EmployeeProjection).where(EmployeeProjection.employee_id.in_(ids))
        )
        return {e.employee_id: e for e in rows}


class JobProfileRepository(Repository[JobProfileProjection]):
    model = JobProfileProjection
    entity_name = "job profile"

    async def by_codes(self, codes: Collection[str]) -> Sequence[JobProfileProjection]:
        return await self.list(
            select(JobProfileProjection).where(JobProfileProjection.code.in_(codes))
        )
