from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from enum import Enum
from functools import partial
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_people.employees.models import Employee as EmployeeModel
from talent_people.employees.models import OrgUnit as OrgUnitModel
from talent_people.employees.repository import EmployeeRepository, OrgUnitRepository
from talent_people.employees.service import (
    EmployeeChanges,
    EmployeeFilter,
    EmployeeInput,
    EmployeeService,
)
from talent_people.framework.graphql import JobProfile, load_job_profiles
from talent_platform.errors import FieldError as DomainFieldError
from talent_platform.errors import Forbidden as Refused
from talent_platform.errors import ValidationFailed
from talent_platform.graphql import (
    After,
    Conflict,
    Connection,
    First,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    connection,
    enum_value,
    page_request,
    run_mutation,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(description="Whether the person still works for the organisation.")
class EmployeeStatus(Enum):
    ACTIVE = enum_value("active", description="Employed; the default for a hire.")
    TERMINATED = enum_value(
        "terminated",
        description="A termination was recorded (see `terminatedOn`), even one dated later.",
    )


@strawberry.enum(description="Sort order of employee lists.")
class EmployeeSort(Enum):
    NAME = enum_value("NAME", description="By name, ties by id.")
    HIRE_DATE = enum_value("HIRE_DATE", description="By hire date, earliest first; ties by id.")
    EMPLOYEE_NUMBER = enum_value(
        "EMPLOYEE_NUMBER",
        description="By employee number as text (`E10` comes before `E9`).",
    )


@strawberry.type(description="A unit of the organisation.")
class OrgUnit:
    code: str = strawberry.field(
        description="Unique code, as used by `orgUnit` in inputs, filters and CSV files."
    )
    name: str = strawberry.field(
        description="Display name; units created from an input or CSV file start with "
        "their code as name."
    )


@strawberry.type(description="A period in a job profile; the current one has no end date.")
class JobHistoryEntry:
    job_profile: JobProfile = strawberry.field(description="The profile held in this period.")
    start_date: dt.date = strawberry.field(
        description="First day in the profile (ISO date): the hire date or the day of the change."
    )
    end_date: dt.date | None = strawberry.field(
        description="When the period ended (ISO date): the next profile's start date or the "
        "termination date; null for the current period."
    )


def _parse_id(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed(
            [DomainFieldError(field, f"{value!r} is not an employee id")]
        ) from exc


async def _employees_by_id(info: Ctx, keys: list[uuid.UUID]) -> list[Employee | None]:
    found = await EmployeeRepository(info.context.session).by_ids(keys)
    return [Employee.from_model(found[k]) if k in found else None for k in keys]


async def _org_units(info: Ctx, keys: list[uuid.UUID]) -> list[OrgUnit | None]:
    from sqlalchemy import select

    rows = await OrgUnitRepository(info.context.session).list(
        select(OrgUnitModel).where(OrgUnitModel.id.in_(keys))
    )
    by_id = {u.id: OrgUnit(code=u.code, name=u.name) for u in rows}
    return [by_id.get(k) for k in keys]


async def _direct_reports(info: Ctx, keys: list[uuid.UUID]) -> list[list[Employee]]:
    rows = await EmployeeRepository(info.context.session).direct_reports(keys)
    grouped: dict[uuid.UUID, list[Employee]] = defaultdict(list)
    for e in rows:
        if e.manager_id is not None:
            grouped[e.manager_id].append(Employee.from_model(e))
    return [grouped.get(k, []) for k in keys]


async def _job_history(info: Ctx, keys: list[uuid.UUID]) -> list[list[JobHistoryEntry]]:
    rows = await EmployeeRepository(info.context.session).job_history(keys)
    grouped: dict[uuid.UUID, list[JobHistoryEntry]] = defaultdict(list)
    for h, p in rows:
        grouped[h.employee_id].append(
            JobHistoryEntry(
                job_profile=JobProfile.from_model(p), start_date=h.start_date, end_date=h.end_date
            )
        )
    return [grouped.get(k, []) for k in keys]


async def _reporting_chains(info: Ctx, keys: list[uuid.UUID]) -> list[list[Employee]]:
    chains = await EmployeeRepository(info.context.session).reporting_chains(keys)
    return [[Employee.from_model(m) for m in chains[k]] for k in keys]


async def _private_visible(info: Ctx, keys: list[uuid.UUID]) -> list[bool]:
    visible = await EmployeeService(info.context.session, info.context.principal).visible_private(
        keys
    )
    return [visible[k] for k in keys]


def employee_loader(info: Ctx) -> DataLoader[uuid.UUID, Employee | None]:
    return info.context.loader("employee.by_id", partial(_employees_by_id, info))


@strawberry.federation.type(
    keys=["id"], description="A person in the organisation (owned by the people service)."
)
class Employee:
    id: strawberry.ID = strawberry.field(
        description="Stable UUID; the key every service uses for this person."
    )
    employee_number: str = strawberry.field(
        description="The HRIS employee number (`employee_id` in CSV files)."
    )
    name: str = strawberry.field(description="Full name, as shown and sorted in the directory.")
    email: str = strawberry.field(description="Work email address, lower-case; unique.")
    hire_date: dt.date = strawberry.field(description="First day of employment (ISO date).")
    status: EmployeeStatus = strawberry.field(
        description="ACTIVE, or TERMINATED once a termination is recorded."
    )
    terminated_on: dt.date | None = strawberry.field(
        description="Termination date (ISO date); null while ACTIVE."
    )
    location: str | None = strawberry.field(
        description="Work location as entered (free text, e.g. a city); null when unknown."
    )
    _org_unit_id: strawberry.Private[uuid.UUID | None]
    _job_profile_id: strawberry.Private[uuid.UUID | None]
    _manager_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, m: EmployeeModel) -> Employee:
        return cls(
            id=strawberry.ID(str(m.id)),
            employee_number=m.employee_number,
            name=m.name,
            email=m.email,
            hire_date=m.hire_date,
            status=EmployeeStatus(m.status),
            terminated_on=m.terminated_on,
            location=m.location,
            _org_unit_id=m.org_unit_id,
            _job_profile_id=m.job_profile_id,
            _manager_id=m.manager_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Employee | None:
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        return await employee_loader(info).load(key)

    @strawberry.field(description="The org unit the employee belongs to; null when none.")
    async def org_unit(self, info: Ctx) -> OrgUnit | None:
        if self._org_unit_id is None:
            return None
        return await info.context.loader("org_unit.by_id", partial(_org_units, info)).load(
            self._org_unit_id
        )

    @strawberry.field(description="The current job profile; null when none is assigned.")
    async def job_profile(self, info: Ctx) -> JobProfile | None:
        if self._job_profile_id is None:
            return None
        return await info.context.loader(
            "job_profile.by_id", partial(load_job_profiles, info)
        ).load(self._job_profile_id)

    @strawberry.field(description="The direct manager; null at the top of the organisation.")
    async def manager(self, info: Ctx) -> Employee | None:
        if self._manager_id is None:
            return None
        return await employee_loader(info).load(self._manager_id)

    @strawberry.field(description="People who report directly to this employee, by name.")
    async def direct_reports(self, info: Ctx) -> list[Employee]:
        return await info.context.loader(
            "employee.direct_reports", partial(_direct_reports, info)
        ).load(uuid.UUID(self.id))

    @strawberry.field(
        description="Managers from the direct manager up to the top of the organisation."
    )
    async def reporting_chain(self, info: Ctx) -> list[Employee]:
        loader = info.context.loader("employee.reporting_chain", partial(_reporting_chains, info))
        return await loader.load(uuid.UUID(self.id))

    @strawberry.field(
        description="Past and current job profiles, newest first. Visible to the employee, "
        "their management chain and HR; null with a FORBIDDEN error for anyone else."
    )
    async def job_history(self, info: Ctx) -> list[JobHistoryEntry] | None:
        key = uuid.UUID(self.id)
        visible = info.context.loader("employee.private_visible", partial(_private_visible, info))
        if not await visible.load(key):
            raise Refused("only the employee, their management chain and HR see job history")
        return await info.context.loader("employee.job_history", partial(_job_history, info)).load(
            uuid.UUID(self.id)
        )


@strawberry.input(description="Filters combine with AND.")
class EmployeeFilterInput:
    org_unit: str | None = strawberry.field(default=None, description="Org unit code or name.")
    job_profile_code: str | None = strawberry.field(
        default=None, description="Current job profile code, exact."
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=None, description="Direct reports of this employee."
    )
    status: EmployeeStatus | None = strawberry.field(
        default=None, description="Only ACTIVE or only TERMINATED people; null: both."
    )
    location: str | None = strawberry.field(
        default=None, description="Location, exact and case-sensitive."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Part of the name or email (any case), or an exact employee number.",
    )


@strawberry.input(
    description="A new hire: ACTIVE, and in a job history from the hire date when a job "
    "profile is given."
)
class CreateEmployeeInput:
    employee_number: str = strawberry.field(
        description="HRIS employee number, unique (at most 64 characters)."
    )
    name: str = strawberry.field(description="Full name; must not be blank.")
    email: str = strawberry.field(
        description="Work email address, not used by anyone else; stored lower-case."
    )
    hire_date: dt.date = strawberry.field(description="First day of employment (ISO date).")
    job_profile_code: str | None = strawberry.field(
        default=None, description="Code of an existing job profile; null: none yet."
    )
    org_unit: str | None = strawberry.field(
        default=None,
        description="Org unit code; a unit that does not exist yet is created with this code.",
    )
    location: str | None = strawberry.field(
        default=None, description="Work location, free text (e.g. a city)."
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=None, description="Id of an existing employee, the direct manager."
    )


@strawberry.input(description="Only the fields given are changed.")
class UpdateEmployeeInput:
    id: strawberry.ID = strawberry.field(description="The employee to change.")
    name: str | None = strawberry.field(
        default=None, description="New full name; must not be blank."
    )
    email: str | None = strawberry.field(
        default=None, description="New work email address, not used by anyone else."
    )
    job_profile_code: str | None = strawberry.field(
        default=None,
        description="New job profile code: the current job history period ends today and "
        "a new one starts.",
    )
    org_unit: str | None = strawberry.field(
        default=None, description="New org unit code; created when it does not exist."
    )
    location: str | None = strawberry.field(
        default=None, description="New location; an empty string clears it."
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="New direct manager: an existing employee, neither this one nor anyone "
        "reporting to them.",
    )
    clear_manager: bool = strawberry.field(
        default=False, description="True removes the manager; `managerId` is then ignored."
    )


@strawberry.input(description="Who leaves, and when.")
class TerminateEmployeeInput:
    id: strawberry.ID = strawberry.field(description="An employee who is still ACTIVE.")
    terminated_on: dt.date = strawberry.field(
        description="Termination date (ISO date), not before the hire date; the open job "
        "history period ends on it."
    )


@strawberry.type(description="An employee as the mutation left them.")
class EmployeePayload:
    employee: Employee = strawberry.field(description="The employee after the change.")


EmployeeResult = Annotated[
    EmployeePayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "EmployeeResult", description="The changed employee, or why nothing was changed."
    ),
]


@strawberry.type
class EmployeeQuery:
    @strawberry.field(description="One employee by id; null when there is none.")
    async def employee(
        self,
        info: Ctx,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="Employee id (UUID); anything else answers null."),
        ],
    ) -> Employee | None:
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        return await employee_loader(info).load(key)

    @strawberry.field(description="The employee the token belongs to.")
    async def me(self, info: Ctx) -> Employee | None:
        employee_id = info.context.principal.employee_id
        return await employee_loader(info).load(employee_id) if employee_id else None

    @strawberry.field(description="The employee directory: filtered, sorted, paginated.")
    async def employees(
        self,
        info: Ctx,
        first: First = None,
        after: After = None,
        filter: Annotated[
            EmployeeFilterInput | None,
            strawberry.argument(description="Who to list; null: everyone, terminated too."),
        ] = None,
        sort: Annotated[
            EmployeeSort, strawberry.argument(description="Order of the list; NAME by default.")
        ] = EmployeeSort.NAME,
        descending: Annotated[
            bool, strawberry.argument(description="True reverses the sort order.")
        ] = False,
    ) -> Connection[Employee]:
        service = EmployeeService(info.context.session, info.context.principal)
        page = page_request(first, after, max_page_size=info.context.settings.graphql_max_page_size)
        f = filter or EmployeeFilterInput()
        flt = EmployeeFilter(
            org_unit=f.org_unit,
            job_profile_code=f.job_profile_code,
            manager_id=_parse_id(f.manager_id, "filter.managerId") if f.manager_id else None,
            status=f.status.value if f.status else None,
            location=f.location,
            search=f.search,
        )
        rows, total = await service.employees.paginate(
            service.query(flt, sort=sort.value, descending=descending),
            offset=page.offset,
            limit=page.limit,
        )
        return connection(rows, total=total, page=page, to_node=Employee.from_model)


@strawberry.type
class EmployeeMutation:
    @strawberry.mutation(description="Hire an employee (admin, hr_coordinator).")
    async def create_employee(
        self,
        info: Ctx,
        input: Annotated[CreateEmployeeInput, strawberry.argument(description="The new hire.")],
    ) -> EmployeeResult:
        service = EmployeeService(info.context.session, info.context.principal)

        async def action() -> EmployeePayload:
            created = await service.create(
                EmployeeInput(
                    employee_number=input.employee_number,
                    name=input.name,
                    email=input.email,
                    hire_date=input.hire_date,
                    job_profile_code=input.job_profile_code,
                    org_unit=input.org_unit,
                    location=input.location,
                    manager_id=_parse_id(input.manager_id, "input.managerId")
                    if input.manager_id
                    else None,
                )
            )
            return EmployeePayload(employee=Employee.from_model(created))

        return await run_mutation(info.context, action)

    @strawberry.mutation(
        description="Change an employee's details, manager or job (admin, hr_coordinator)."
    )
    async def update_employee(
        self,
        info: Ctx,
        input: Annotated[
            UpdateEmployeeInput, strawberry.argument(description="The employee and the changes.")
        ],
    ) -> EmployeeResult:
        service = EmployeeService(info.context.session, info.context.principal)

        async def action() -> EmployeePayload:
            updated = await service.update(
                _parse_id(input.id, "input.id"),
                EmployeeChanges(
                    name=input.name,
                    email=input.email,
                    job_profile_code=input.job_profile_code,
                    org_unit=input.org_unit,
                    location=input.location,
                    manager_id=_parse_id(input.manager_id, "input.managerId")
                    if input.manager_id
                    else None,
                    clear_manager=input.clear_manager,
                ),
            )
            return EmployeePayload(employee=Employee.from_model(updated))

        return await run_mutation(info.context, action)

    @strawberry.mutation(description="Record a termination (admin, hr_coordinator).")
    async def terminate_employee(
        self,
        info: Ctx,
        input: Annotated[
            TerminateEmployeeInput, strawberry.argument(description="Who leaves, and when.")
        ],
    ) -> EmployeeResult:
        service = EmployeeService(info.context.session, info.context.principal)

        async def action() -> EmployeePayload:
            done = await service.terminate(_parse_id(input.id, "input.id"), input.terminated_on)
            return EmployeePayload(employee=Employee.from_model(done))

        return await run_mutation(info.context, action)
