from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Integer, literal_column, select
from sqlalchemy.orm import aliased

from talent_contracts.people import EmployeeSnapshot
from talent_people.employees.models import Employee, JobHistory, OrgUnit
from talent_people.framework.models import JobProfile
from talent_platform.db import Repository

MAX_CHAIN_DEPTH = 64


class EmployeeRepository(Repository[Employee]):
    model = Employee
    entity_name = "employee"

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Employee]:
        rows = await self.list(select(Employee).where(Employee.id.in_(ids)))
        return {e.id: e for e in rows}

    async def by_number(self, number: str) -> Employee | None:
        return await self.one_or_none(select(Employee).where(Employee.employee_number == number))

    async def by_email(self, email: str) -> Employee | None:
        return await self.one_or_none(select(Employee).where(Employee.email == email))

    async def direct_reports(self, manager_ids: Sequence[uuid.UUID]) -> Sequence[Employee]:
        return await self.list(
            select(Employee)
            .where(Employee.manager_id.in_(manager_ids))
            .order_by(Employee.name, Employee.id)
        )

    async def reporting_chain(self, employee_id: uuid.UUID) -> list[Employee]:
        """Managers from the direct manager up to the top."""
        return (await self.reporting_chains([employee_id]))[employee_id]

    async def reporting_chains(
        self, employee_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Employee]]:
        """Each employee's managers, nearest first, for a whole page in one query; the
        walk stops after MAX_CHAIN_DEPTH levels, so a cycle in the data cannot loop."""
        start = (
            select(
                Employee.id.label("origin"),
                Employee.manager_id.label("id"),
                literal_column("1", Integer).label("depth"),
            )
            .where(Employee.id.in_(employee_ids), Employee.manager_id.is_not(None))
            .cte("chain", recursive=True)
        )
        parent = aliased(Employee)
        chain = start.union_all(
            select(start.c.origin, parent.manager_id, start.c.depth + 1)
            .join(parent, parent.id == start.c.id)
            .where(parent.manager_id.is_not(None), start.c.depth < MAX_CHAIN_DEPTH)
        )
        rows = await self.session.execute(
            select(chain.c.origin, Employee)
            .join(chain, Employee.id == chain.c.id)
            .order_by(chain.c.origin, chain.c.depth)
        )
        found: dict[uuid.UUID, list[Employee]] = {k: [] for k in employee_ids}
        for origin, manager in rows.all():
            found[origin].append(manager)
        return found

    async def snapshots(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, EmployeeSnapshot]:
        rows = await self.session.execute(
            select(Employee, JobProfile.code, OrgUnit.code)
            .outerjoin(JobProfile, JobProfile.id == Employee.job_profile_id)
            .outerjoin(OrgUnit, OrgUnit.id == Employee.org_unit_id)
            .where(Employee.id.in_(ids))
        )
        return {e.id: snapshot(e, job_code, unit_code) for e, job_code, unit_code in rows.all()}

    async def job_history(
        self, employee_ids: Sequence[uuid.UUID]
    ) -> Sequence[tuple[JobHistory, JobProfile]]:
        rows = await self.session.execute(
            select(JobHistory, JobProfile)
            .join(JobProfile, JobProfile.id == JobHistory.job_profile_id)
            .where(JobHistory.employee_id.in_(employee_ids))
            .order_by(JobHistory.start_date.desc())
        )
        return [(h, p) for h, p in rows.all()]


def snapshot(
    e: Employee, job_profile_code: str | None, org_unit_code: str | None
) -> EmployeeSnapshot:
    return EmployeeSnapshot(
        employee_id=e.id,
        employee_number=e.employee_number,
        name=e.name,
        email=e.email,
        hire_date=e.hire_date,
        status=e.status,
        job_profile_code=job_profile_code,
        org_unit_code=org_unit_code,
        location=e.location,
        manager_id=e.manager_id,
    )


class OrgUnitRepository(Repository[OrgUnit]):
    model = OrgUnit
    entity_name = "org unit"

    async def by_codes(self, codes: Sequence[str]) -> dict[str, OrgUnit]:
        rows = await self.list(select(OrgUnit).where(OrgUnit.code.in_(codes)))
        return {u.code: u for u in rows}

    async def ensure(self, code: str) -> OrgUnit:
        found = (await self.by_codes([code])).get(code)
        if found is None:
            found = await self.create(OrgUnit(code=code, name=code))
        return found
