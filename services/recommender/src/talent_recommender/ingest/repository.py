"""Reads of the projections: employees and who manages whom (for authorization)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import Integer, literal_column, select
from sqlalchemy.orm import aliased

from talent_platform.db import Repository
from talent_recommender.ingest.models import Employee

# Longer chains than this are treated as broken data (a cycle people has not caught).
MAX_CHAIN_DEPTH = 64


class EmployeeRepository(Repository[Employee]):
    model = Employee
    entity_name = "employee"

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Employee]:
        rows = await self.list(select(Employee).where(Employee.employee_id.in_(list(ids))))
        return {e.employee_id: e for e in rows}

    async def direct_reports(self, manager_id: uuid.UUID) -> Sequence[Employee]:
        return await self.list(
            select(Employee)
            .where(Employee.manager_id == manager_id, Employee.status == "active")
            .order_by(Employee.name, Employee.employee_id)
        )

    async def managed_by(
        self, manager_id: uuid.UUID, employee_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `employee_ids` who have `manager_id` anywhere up their reporting chain,
        walking up from them at most MAX_CHAIN_DEPTH levels (a cycle ends the walk)."""
        if not employee_ids:
            return set()
        start = (
            select(
                Employee.employee_id.label("employee_id"),
                Employee.manager_id.label("manager_id"),
                literal_column("1", Integer).label("depth"),
            )
            .where(Employee.employee_id.in_(list(employee_ids)), Employee.manager_id.is_not(None))
            .cte("chain", recursive=True)
        )
        above = aliased(Employee)
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
