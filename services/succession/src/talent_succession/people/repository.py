from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select

from talent_platform.db import Repository
from talent_succession.people.models import EmployeeProjection


class EmployeeProjectionRepository(Repository[EmployeeProjection]):
    model = EmployeeProjection
    entity_name = "employee"

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, EmployeeProjection]:
        if not ids:
            return {}
        rows = await self.list(
            select(EmployeeProjection).where(EmployeeProjection.employee_id.in_(ids))
        )
        return {e.employee_id: e for e in rows}

    async def ids_by_number(self) -> dict[str, uuid.UUID]:
        """Every employee number and its id (CSV files name employees by number)."""
        rows = await self.session.execute(
            select(EmployeeProjection.employee_number, EmployeeProjection.employee_id)
        )
        return {number: employee_id for number, employee_id in rows.all()}

    async def statuses(self) -> dict[uuid.UUID, str]:
        rows = await self.session.execute(
            select(EmployeeProjection.employee_id, EmployeeProjection.status)
        )
        return {employee_id: status for employee_id, status in rows.all()}
