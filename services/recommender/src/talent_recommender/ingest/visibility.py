"""Who may see an employee's skills profile, gaps and recommendations: the employee,
anyone up their reporting chain (from the recommender's projection of people's reporting
lines) and HR (hr_coordinator, hr_leader, admin)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_recommender.ingest.repository import EmployeeRepository


async def visible_employees(
    session: AsyncSession, principal: Principal, employee_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """The subset of `employee_ids` `principal` may see, in one query at most."""
    wanted = set(employee_ids)
    if principal.is_hr:
        return wanted
    me = principal.employee_id
    if me is None:
        return set()
    visible = {me} & wanted
    others = wanted - visible
    if others:
        visible |= await EmployeeRepository(session).managed_by(me, others)
    return visible
