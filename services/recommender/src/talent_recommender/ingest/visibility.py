"""Who may see an employee's skills profile, gaps and recommendations: the employee,
anyone up their reporting chain (from the recommender's projection of people's reporting
lines) and HR (hr_coordinator, hr_leader, admin). What rests on succession data (successor
suggestions, gaps against key roles) only hr_leader and admin."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from talent_platform.auth import Principal, Role
from talent_platform.errors import Forbidden, NotFound
from talent_recommender.ingest.models import Employee
from talent_recommender.ingest.repository import EmployeeRepository

SUCCESSION_READERS = (Role.HR_LEADER, Role.ADMIN)


def sees_succession(principal: Principal) -> bool:
    return principal.has_role(*SUCCESSION_READERS)


def require_succession_reader(principal: Principal, what: str) -> None:
    if not sees_succession(principal):
        raise Forbidden(f"{what} are visible to hr_leader and admin only")


async def visible_employees(
    session: AsyncSession, principal: Principal, employee_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """The subset of `employee_ids` `principal` may see, in one query at most."""
    return await EmployeeRepository(session).visible_to(principal, employee_ids)


class EmployeeAccess(Protocol):
    async def visible(self, employee_id: uuid.UUID) -> Employee:
        """The employee, if the principal may see them; NotFound or Forbidden otherwise."""
        ...


class DirectAccess:
    """Looks employees up and checks visibility in two queries per call, for one
    employee or many."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def visible(self, employee_id: uuid.UUID) -> Employee:
        found = (await self.visible_many([employee_id]))[0]
        if isinstance(found, Exception):
            raise found
        return found

    async def visible_many(
        self, employee_ids: Sequence[uuid.UUID]
    ) -> list[Employee | NotFound | Forbidden]:
        """Per id, in order: the employee, or the error a caller gets for it."""
        employees = await EmployeeRepository(self.session).by_ids(set(employee_ids))
        allowed = await visible_employees(self.session, self.principal, set(employees))
        return [
            NotFound("employee", i)
            if i not in employees
            else employees[i]
            if i in allowed
            else Forbidden("you may not see this employee's development data")
            for i in employee_ids
        ]


class LoadedAccess:
    """Visibility through a request's DataLoader: the Employee entities of one
    `_entities` call (a manager's team page) are checked together, in two queries."""

    def __init__(self, loader: DataLoader[uuid.UUID, Employee | NotFound | Forbidden]) -> None:
        self.loader = loader

    async def visible(self, employee_id: uuid.UUID) -> Employee:
        found = await self.loader.load(employee_id)  # raises the errors it loaded
        if isinstance(found, Exception):
            raise found
        return found
