"""Typed factories and helpers shared by the succession tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, parse_payload
from talent_platform.auth import Principal, Role
from talent_platform.events import Envelope
from talent_platform.graphql import TalentContext
from talent_succession.config import SuccessionSettings
from talent_succession.consumers import registry
from talent_succession.db import messaging
from talent_succession.key_roles.models import KeyRole
from talent_succession.people.models import EmployeeProjection
from talent_succession.schema import schema

SETTINGS = SuccessionSettings(environment="test")

HR_LEADER = Principal(subject="hr-leader", employee_id=None, roles=frozenset({Role.HR_LEADER}))
ADMIN = Principal(subject="admin", employee_id=None, roles=frozenset({Role.ADMIN}))
HR_COORDINATOR = Principal(
    subject="hr-coordinator", employee_id=None, roles=frozenset({Role.HR_COORDINATOR})
)


def principal(employee: EmployeeProjection, *roles: Role) -> Principal:
    return Principal(
        subject=str(employee.employee_id),
        employee_id=employee.employee_id,
        roles=frozenset(roles or (Role.EMPLOYEE,)),
    )


async def run(
    session: AsyncSession,
    query: str,
    *,
    as_: Principal,
    variables: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, list[Any]]:
    """Run an operation through the real schema in the test's session: (data, errors)."""
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return result.data, list(result.errors or [])


async def execute(
    session: AsyncSession,
    query: str,
    *,
    as_: Principal,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run an operation; fails on GraphQL errors."""
    data, errors = await run(session, query, as_=as_, variables=variables)
    assert not errors, errors
    assert data is not None
    return data


async def make_employee(
    session: AsyncSession,
    *,
    number: str,
    manager: EmployeeProjection | None = None,
    status: str = "active",
    org_unit: str | None = "finance",
    job_profile: str | None = "analyst",
) -> EmployeeProjection:
    """A row of succession's projection, as people's events would have built it."""
    employee = EmployeeProjection(
        employee_id=uuid.uuid4(),
        employee_number=number,
        name=f"Employee {number}",
        email=f"{number.lower()}@example.com",
        status=status,
        manager_id=manager.employee_id if manager else None,
        org_unit_code=org_unit,
        job_profile_code=job_profile,
        hire_date=dt.date(2020, 1, 6),
        updated_at=dt.datetime.now(dt.UTC),
    )
    session.add(employee)
    await session.flush()
    return employee


async def outbox_events(session: AsyncSession, event_type: str) -> list[EventPayload]:
    rows = await session.execute(
        select(messaging.outbox.c.payload)
        .where(messaging.outbox.c.event_type == event_type)
        .order_by(messaging.outbox.c.id)
    )
    return [parse_payload(event_type, payload) for (payload,) in rows.all()]


async def outbox_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(messaging.outbox)) or 0)


def deliver(
    session: Session,
    payload: EventPayload,
    *,
    service: str = "people",
    at: dt.datetime | None = None,
) -> None:
    """Call the registered handler as the consumer loop does."""
    envelope = Envelope.for_payload(payload, service=service)
    if at is not None:
        envelope = dataclasses.replace(envelope, time=at)
    registry.apply(session, [(payload, envelope)])


ENTITY = """
query ($id: ID!) {
  _entities(representations: [{__typename: "Employee", id: $id}]) {
    ... on Employee { %s }
  }
}
"""


async def employee_fields(
    session: AsyncSession, employee_id: uuid.UUID, fields: str, *, as_: Principal
) -> dict[str, Any]:
    """Succession's fields of one Employee entity, as the gateway would fetch them."""
    data = await execute(session, ENTITY % fields, as_=as_, variables={"id": str(employee_id)})
    return data["_entities"][0]  # type: ignore[no-any-return]


async def make_key_role(
    session: AsyncSession,
    *,
    code: str,
    incumbent: EmployeeProjection | None = None,
    criticality: str = "high",
    org_unit: str | None = "finance",
) -> KeyRole:
    role = KeyRole(
        id=uuid.uuid4(),
        code=code,
        title=f"Role {code}",
        job_profile_code="lead",
        incumbent_id=incumbent.employee_id if incumbent else None,
        org_unit_code=org_unit,
        criticality=criticality,
    )
    session.add(role)
    await session.flush()
    return role


NOMINATE = """
mutation ($input: NominateSuccessorInput!) {
  nominateSuccessor(input: $input) {
    __typename
    ... on NominationPayload { nomination { id rank readiness emergency suggestionId reviewBy } }
    ... on ValidationError { fields { field message } }
    ... on Error { message }
  }
}
"""


async def nominate(session: AsyncSession, **values: Any) -> dict[str, Any]:
    data = await execute(session, NOMINATE, as_=HR_LEADER, variables={"input": values})
    return data["nominateSuccessor"]  # type: ignore[no-any-return]


def refused(data: dict[str, Any] | None) -> bool:
    """Every root field asked for answered null (a refused read; refusable roots are
    nullable, so the answer keeps its `data`)."""
    return data is not None and all(value is None for value in data.values())
