"""Who may see an employee's learning records.

The employee themself, anyone up their reporting chain (from learning's projection of
people's reporting lines) and HR (hr_coordinator, hr_leader, admin). Being a manager is
not a token role: it follows from the reporting lines.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.people.repository import EmployeeProjectionRepository
from talent_platform.auth import Principal


async def visible_employees(
    session: AsyncSession, principal: Principal, employee_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """The subset of `employee_ids` whose records `principal` may see; one query at most,
    so a DataLoader can check a whole page of employees at once."""
    return await EmployeeProjectionRepository(session).visible_to(principal, employee_ids)


async def can_see_employee(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID
) -> bool:
    return employee_id in await visible_employees(session, principal, [employee_id])
