from __future__ import annotations

import uuid

from sqlalchemy import select

from talent_platform.employees import EmployeeRepository
from talent_succession.people.models import EmployeeProjection


class EmployeeProjectionRepository(EmployeeRepository[EmployeeProjection]):
    model = EmployeeProjection

    async def statuses(self) -> dict[uuid.UUID, str]:
        rows = await self.session.execute(
            select(EmployeeProjection.employee_id, EmployeeProjection.status)
        )
        return {employee_id: status for employee_id, status in rows.all()}
