"""Employees: directory queries and admin changes, each change with its events."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.people import JobHistoryRecorded
from talent_people.db import outbox
from talent_people.employees.events import employee_events
from talent_people.employees.models import Employee, JobHistory, OrgUnit
from talent_people.employees.repository import EmployeeRepository, OrgUnitRepository, snapshot
from talent_people.framework.models import JobProfile
from talent_people.framework.repository import JobProfileRepository
from talent_platform.auth import Principal, Role
from talent_platform.errors import ErrorCollector, FieldError, ValidationFailed
from talent_platform.events import Outbox

WRITERS = (Role.ADMIN, Role.HR_COORDINATOR)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SORTS = {
    "NAME": (Employee.name, Employee.id),
    "HIRE_DATE": (Employee.hire_date, Employee.id),
    "EMPLOYEE_NUMBER": (Employee.employee_number,),
}


@dataclass(frozen=True)
class EmployeeFilter:
    org_unit: str | None = None
    job_profile_code: str | None = None
    manager_id: uuid.UUID | None = None
    status: str | None = None
    location: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class EmployeeInput:
    employee_number: str
    name: str
    email: str
    hire_date: dt.date
    job_profile_code: str | None = None
    org_unit: str | None = None
    location: str | None = None
    manager_id: uuid.UUID | None = None


@dataclass(frozen=True)
class EmployeeChanges:
    """Fields to change; None leaves a field as it is (`clear_manager` removes the manager)."""

    name: str | None = None
    email: str | None = None
    job_profile_code: str | None = None
    org_unit: str | None = None
    location: str | None = None
    manager_id: uuid.UUID | None = None
    clear_manager: bool = False


def validate_email(value: str, errors: ErrorCollector, field: str) -> None:
    if not EMAIL.match(value):
        errors.add(field, f"{value!r} is not an email address")


class EmployeeService:
    def __init__(
        self, session: AsyncSession, principal: Principal, events: Outbox = outbox
    ) -> None:
        self.session = session
        self.principal = principal
        self.events = events
        self.employees = EmployeeRepository(session)
        self.units = OrgUnitRepository(session)
        self.profiles = JobProfileRepository(session)

    # -- reads ------------------------------------------------------------------------
    def query(
        self, flt: EmployeeFilter, *, sort: str = "NAME", descending: bool = False
    ) -> Select[Employee]:
        stmt = select(Employee)
        if flt.org_unit:
            stmt = stmt.join(OrgUnit, OrgUnit.id == Employee.org_unit_id).where(
                or_(OrgUnit.code == flt.org_unit, OrgUnit.name == flt.org_unit)
            )
        if flt.job_profile_code:
            stmt = stmt.join(JobProfile, JobProfile.id == Employee.job_profile_id).where(
                JobProfile.code == flt.job_profile_code
            )
        if flt.manager_id:
            stmt = stmt.where(Employee.manager_id == flt.manager_id)
        if flt.status:
            stmt = stmt.where(Employee.status == flt.status)
        if flt.location:
            stmt = stmt.where(Employee.location == flt.location)
        if flt.search:
            pattern = f"%{flt.search.lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Employee.name).like(pattern),
                    func.lower(Employee.email).like(pattern),
                    Employee.employee_number == flt.search,
                )
            )
        columns = SORTS[sort]
        return stmt.order_by(*(c.desc() if descending else c.asc() for c in columns))

    async def get(self, employee_id: uuid.UUID) -> Employee:
        return await self.employees.get(employee_id)

    async def visible_private(self, employee_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bool]:
        """Who of `employee_ids` the principal may see private records of (job history):
        themself, anyone they manage directly or indirectly; HR and admin see everyone, an
        HR coordinator with an org scope everyone inside it. A query or two for a page."""
        p = self.principal
        if p.is_hr_everywhere:
            return {k: True for k in employee_ids}
        covered: set[uuid.UUID] = set()
        if p.org_scope is not None:
            snapshots = await self.employees.snapshots(employee_ids)
            covered = {k for k, s in snapshots.items() if p.covers_unit(s.org_unit_code)}
        if p.employee_id is None:
            return {k: k in covered for k in employee_ids}
        chains = await self.employees.reporting_chains(employee_ids)
        return {
            k: k in covered or k == p.employee_id or any(m.id == p.employee_id for m in chains[k])
            for k in employee_ids
        }

    # -- writes -----------------------------------------------------------------------
    async def create(self, data: EmployeeInput) -> Employee:
        self.principal.require(*WRITERS)
        errors = ErrorCollector()
        if not data.employee_number.strip():
            errors.add("input.employeeNumber", "is required")
        if not data.name.strip():
            errors.add("input.name", "is required")
        validate_email(data.email, errors, "input.email")
        if data.employee_number and await self.employees.by_number(data.employee_number):
            errors.add("input.employeeNumber", f"{data.employee_number!r} is already used")
        if await self.employees.by_email(data.email):
            errors.add("input.email", f"{data.email!r} is already used")
        profile = await self._profile(data.job_profile_code, errors, "input.jobProfileCode")
        if (
            data.manager_id is not None
            and await self.employees.get_or_none(data.manager_id) is None
        ):
            errors.add("input.managerId", f"no employee {data.manager_id}")
        errors.raise_if_any()
        unit = await self.units.ensure(data.org_unit) if data.org_unit else None
        employee = await self.employees.create(
            Employee(
                employee_number=data.employee_number,
                name=data.name.strip(),
                email=data.email.strip().lower(),
                hire_date=data.hire_date,
                status="active",
                job_profile_id=profile.id if profile else None,
                org_unit_id=unit.id if unit else None,
                location=data.location,
                manager_id=data.manager_id,
            )
        )
        after = snapshot(employee, profile.code if profile else None, unit.code if unit else None)
        await self.session.run_sync(
            self.events.add, *employee_events(None, after, effective_on=data.hire_date)
        )
        if profile is not None:
            await self._record_job(employee, profile, data.hire_date)
        return employee

    async def update(self, employee_id: uuid.UUID, changes: EmployeeChanges) -> Employee:
        self.principal.require(*WRITERS)
        employee = await self.employees.get(employee_id)
        before = (await self.employees.snapshots([employee.id]))[employee.id]
        errors = ErrorCollector()
        values: dict[str, object] = {}
        if changes.name is not None:
            if not changes.name.strip():
                errors.add("input.name", "must not be empty")
            values["name"] = changes.name.strip()
        if changes.email is not None:
            validate_email(changes.email, errors, "input.email")
            other = await self.employees.by_email(changes.email.strip().lower())
            if other is not None and other.id != employee.id:
                errors.add("input.email", f"{changes.email!r} is already used")
            values["email"] = changes.email.strip().lower()
        profile = await self._profile(changes.job_profile_code, errors, "input.jobProfileCode")
        if profile is not None:
            values["job_profile_id"] = profile.id
        if changes.location is not None:
            values["location"] = changes.location or None
        if changes.clear_manager:
            values["manager_id"] = None
        elif changes.manager_id is not None:
            await self._check_manager(employee.id, changes.manager_id, errors)
            values["manager_id"] = changes.manager_id
        errors.raise_if_any()
        unit = await self.units.ensure(changes.org_unit) if changes.org_unit else None
        if unit is not None:
            values["org_unit_id"] = unit.id
        await self.employees.update(employee, values)
        after = before.model_copy(
            update={
                "name": employee.name,
                "email": employee.email,
                "location": employee.location,
                "manager_id": employee.manager_id,
                "job_profile_code": profile.code if profile else before.job_profile_code,
                "org_unit_code": unit.code if unit else before.org_unit_code,
            }
        )
        today = dt.date.today()
        await self.session.run_sync(
            self.events.add, *employee_events(before, after, effective_on=today)
        )
        if profile is not None and before.job_profile_code != profile.code:
            await self._record_job(employee, profile, today)
        return employee

    async def terminate(self, employee_id: uuid.UUID, on: dt.date) -> Employee:
        self.principal.require(*WRITERS)
        employee = await self.employees.get(employee_id)
        if employee.status == "terminated":
            raise ValidationFailed([FieldError("input.employeeId", "is already terminated")])
        if on < employee.hire_date:
            raise ValidationFailed([FieldError("input.terminatedOn", "is before the hire date")])
        before = (await self.employees.snapshots([employee.id]))[employee.id]
        await self.employees.update(employee, {"status": "terminated", "terminated_on": on})
        await self.session.execute(
            update(JobHistory)
            .where(JobHistory.employee_id == employee.id, JobHistory.end_date.is_(None))
            .values(end_date=on)
        )
        after = before.model_copy(update={"status": "terminated"})
        await self.session.run_sync(
            self.events.add, *employee_events(before, after, effective_on=on)
        )
        return employee

    # -- helpers ----------------------------------------------------------------------
    async def _profile(
        self, code: str | None, errors: ErrorCollector, field: str
    ) -> JobProfile | None:
        if not code:
            return None
        found = (await self.profiles.by_codes([code])).get(code)
        if found is None:
            errors.add(field, f"unknown job profile {code!r}")
        return found

    async def _check_manager(
        self, employee_id: uuid.UUID, manager_id: uuid.UUID, errors: ErrorCollector
    ) -> None:
        if manager_id == employee_id:
            errors.add("input.managerId", "an employee cannot be their own manager")
            return
        manager = await self.employees.get_or_none(manager_id)
        if manager is None:
            errors.add("input.managerId", f"no employee {manager_id}")
            return
        chain = await self.employees.reporting_chain(manager_id)
        if any(m.id == employee_id for m in chain):
            errors.add("input.managerId", "would create a reporting cycle")

    async def _record_job(self, employee: Employee, profile: JobProfile, start: dt.date) -> None:
        await self.session.execute(
            update(JobHistory)
            .where(JobHistory.employee_id == employee.id, JobHistory.end_date.is_(None))
            .values(end_date=start)
        )
        exists = await self.session.execute(
            select(JobHistory.id).where(
                JobHistory.employee_id == employee.id,
                JobHistory.job_profile_id == profile.id,
                JobHistory.start_date == start,
            )
        )
        if exists.first() is None:
            self.session.add(
                JobHistory(employee_id=employee.id, job_profile_id=profile.id, start_date=start)
            )
            await self.session.flush()
        await self.session.run_sync(
            self.events.add,
            JobHistoryRecorded(
                employee_id=employee.id,
                job_profile_code=profile.code,
                start_date=start,
                end_date=None,
            ),
        )
