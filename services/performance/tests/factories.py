"""Typed factories and helpers shared by the performance tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts import EventPayload, parse_payload
from talent_devtools.testing.graphql import ErrorAt, execute_refusable
from talent_performance.config import PerformanceSettings
from talent_performance.cycles.models import PHASES, ReviewCycle
from talent_performance.cycles.service import CycleService, NewCycle
from talent_performance.db import messaging
from talent_performance.people.models import (
    EmployeeProjection,
    JobProfileProjection,
    JobProfileRequirement,
)
from talent_performance.reviews.models import Review
from talent_performance.schema import schema
from talent_platform.auth import Principal, Role
from talent_platform.graphql import TalentContext

SETTINGS = PerformanceSettings(environment="test")
HR = Principal(subject="hr-coordinator", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
START = dt.date(2026, 1, 5)


def principal(employee: EmployeeProjection | None = None, *roles: Role) -> Principal:
    """The principal of a token for `employee` (a service account when None)."""
    if employee is None:
        return Principal(subject="service-account", employee_id=None, roles=frozenset(roles))
    return Principal(
        subject=str(employee.employee_id),
        employee_id=employee.employee_id,
        roles=frozenset(roles or (Role.EMPLOYEE,)),
    )


async def execute(
    session: AsyncSession,
    query: str,
    *,
    as_: Principal,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run an operation through the real schema, in the test's session; fails on errors."""
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def refused(
    session: AsyncSession,
    query: str,
    *,
    as_: Principal,
    variables: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[ErrorAt]]:
    """Run an operation that may be refused in places (see `execute_refusable`)."""
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    return await execute_refusable(schema, context, query, variables)


async def make_employee(
    session: AsyncSession,
    *,
    number: str,
    manager: EmployeeProjection | None = None,
    status: str = "active",
    org_unit: str | None = "finance",
    job_profile: str | None = "analyst",
    hire_date: dt.date = dt.date(2020, 1, 6),
) -> EmployeeProjection:
    """A row of performance's projection, as people's events would have built it."""
    employee = EmployeeProjection(
        employee_id=uuid.uuid4(),
        employee_number=number,
        name=f"Employee {number}",
        email=f"{number.lower()}@example.com",
        status=status,
        hire_date=hire_date,
        manager_id=manager.employee_id if manager else None,
        org_unit_code=org_unit,
        job_profile_code=job_profile,
        updated_at=dt.datetime.now(dt.UTC),
    )
    session.add(employee)
    await session.flush()
    return employee


async def make_job_profile(
    session: AsyncSession, code: str = "analyst", requirements: dict[str, int] | None = None
) -> None:
    session.add(
        JobProfileProjection(
            code=code,
            title=code.title(),
            family="Finance",
            level=2,
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    await session.flush()
    reqs = requirements if requirements is not None else {"communication": 3, "excel": 4}
    if reqs:
        await session.execute(
            insert(JobProfileRequirement),
            [
                {
                    "job_profile_code": code,
                    "competency_code": c,
                    "required_level": level,
                    "importance": 3,
                }
                for c, level in reqs.items()
            ],
        )


def deadlines(start: dt.date = START) -> dict[str, dt.date]:
    return {phase: start + dt.timedelta(weeks=i + 1) for i, phase in enumerate(PHASES)}


async def make_cycle(
    session: AsyncSession,
    *,
    code: str = "2026-ANNUAL",
    org_units: tuple[str, ...] = (),
    job_profiles: tuple[str, ...] = (),
    hired_on_or_before: dt.date | None = None,
    launch: bool = True,
    phase: str | None = None,
) -> ReviewCycle:
    """A cycle created (and launched, and moved to `phase`) through the service."""
    service = CycleService(session, HR)
    cycle = await service.create(
        NewCycle(
            code=code,
            name=f"Cycle {code}",
            kind="annual",
            deadlines=deadlines(),
            org_unit_codes=org_units,
            job_profile_codes=job_profiles,
            hired_on_or_before=hired_on_or_before,
        )
    )
    if launch:
        await service.launch(cycle.id)
    if phase is not None:
        await move_to(session, cycle, phase)
    return cycle


async def move_to(session: AsyncSession, cycle: ReviewCycle, phase: str) -> None:
    service = CycleService(session, HR)
    assert cycle.phase is not None
    while cycle.phase != phase:
        await service.advance(cycle.id, to_phase=PHASES[PHASES.index(cycle.phase) + 1])


async def review_of(
    session: AsyncSession, cycle: ReviewCycle, employee: EmployeeProjection, kind: str
) -> Review:
    found = (
        await session.scalars(
            select(Review).where(
                Review.cycle_id == cycle.id,
                Review.employee_id == employee.employee_id,
                Review.kind == kind,
            )
        )
    ).one()
    await session.refresh(found)
    return found


async def count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    statement = select(func.count()).select_from(model)
    if where:
        statement = statement.where(*where)
    return int((await session.execute(statement)).scalar_one())


async def published(session: AsyncSession, event_type: type[EventPayload]) -> list[Any]:
    """Payloads of this type in the outbox, oldest first."""
    outbox = messaging.outbox
    rows = await session.execute(
        select(outbox.c.payload)
        .where(outbox.c.event_type == event_type.event_type)
        .order_by(outbox.c.id)
    )
    return [parse_payload(event_type.event_type, bytes(p)) for p in rows.scalars()]


def fields_of(result: dict[str, Any]) -> dict[str, str]:
    """A ValidationError's field errors, by field."""
    assert result["__typename"] == "ValidationError", result
    return {f["field"]: f["message"] for f in result["fields"]}
