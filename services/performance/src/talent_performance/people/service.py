"""Who may see an employee's performance records.

The employee themself, anyone up their reporting chain (from performance's projection
of people's reporting lines) and HR (hr_coordinator, hr_leader, admin). Being a manager
is not a token role: it follows from the reporting lines. What of a review the employee
sees before the cycle is released is decided in reviews/service.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from talent_performance.people.repository import EmployeeProjectionRepository
from talent_platform.auth import Principal


async def managed_employees(
    session: AsyncSession, principal: Principal, employee_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """The subset of `employee_ids` below the principal in the reporting lines."""
    me = principal.employee_id
    if me is None:
        return set()
    others = set(employee_ids) - {me}
    return await EmployeeProjectionRepository(session).managed_by(me, others)


async def visible_employees(
    session: AsyncSession, principal: Principal, employee_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """The subset of `employee_ids` whose records `principal` may see; one query at most."""
    return await EmployeeProjectionRepository(session).visible_to(principal, employee_ids)
