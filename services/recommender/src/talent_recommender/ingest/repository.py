"""Reads of the projections: employees and who manages whom (for authorization)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from talent_platform.employees import EmployeeRepository as EmployeeDirectory
from talent_recommender.ingest.models import Employee


class EmployeeRepository(EmployeeDirectory[Employee]):
    model = Employee

    async def direct_reports(self, manager_id: uuid.UUID) -> Sequence[Employee]:
        return await self.list(
            select(Employee)
            .where(Employee.manager_id == manager_id, Employee.status == "active")
            .order_by(Employee.name, Employee.employee_id)
        )
