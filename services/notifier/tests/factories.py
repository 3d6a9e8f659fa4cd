"""Typed factories and helpers shared by the notifier tests: people and learning events
delivered to the worker's registry as its consumer would, and GraphQL operations run
through the real schema."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.learning import EnrollmentAssigned, EnrollmentOverdue
from talent_contracts.people import EmployeeHired, EmployeeSnapshot, EmployeeTerminated
from talent_notifier.config import NotifierSettings
from talent_notifier.consumers import registry
from talent_notifier.notifications.models import Delivery
from talent_notifier.schema import schema
from talent_platform.auth import Principal, Role
from talent_platform.events import Envelope
from talent_platform.graphql import TalentContext

SETTINGS = NotifierSettings(environment="test")


def deliver(
    session: Session, payload: EventPayload, *, service: str, envelope: Envelope | None = None
) -> Envelope:
    """Call the registered handlers as the consumer loop does; returns the envelope, so a
    test can deliver the same event (same `ce_id`) again."""
    envelope = envelope or Envelope.for_payload(payload, service=service)
    registry.apply(session, [(payload, envelope)])
    return envelope


def snapshot(
    name: str, *, manager: EmployeeSnapshot | None = None, **changes: Any
) -> EmployeeSnapshot:
    values: dict[str, Any] = {
        "employee_id": uuid.uuid4(),
        "employee_number": f"E-{uuid.uuid4().hex[:8]}",
        "name": name,
        "email": f"{re.sub(r'[^a-z]+', '.', name.lower()).strip('.')}@example.com",
        "hire_date": dt.date(2021, 3, 1),
        "status": "active",
        "job_profile_code": "engineer",
        "org_unit_code": "Engineering",
        "location": "Lisbon",
        "manager_id": manager.employee_id if manager else None,
    }
    values.update(changes)
    return EmployeeSnapshot.model_validate(values)


def hire(
    session: Session, name: str, *, manager: EmployeeSnapshot | None = None
) -> EmployeeSnapshot:
    employee = snapshot(name, manager=manager)
    deliver(
        session,
        EmployeeHired(employee_id=employee.employee_id, employee=employee),
        service="people",
    )
    return employee


def terminate(session: Session, employee: EmployeeSnapshot) -> EmployeeSnapshot:
    gone = employee.model_copy(update={"status": "terminated"})
    deliver(
        session,
        EmployeeTerminated(
            employee_id=gone.employee_id, employee=gone, terminated_on=dt.date(2026, 1, 5)
        ),
        service="people",
    )
    return gone


def assigned(employee: EmployeeSnapshot, *, course: str = "SEC-101") -> EnrollmentAssigned:
    return EnrollmentAssigned(
        enrollment_id=uuid.uuid4(),
        employee_id=employee.employee_id,
        course_code=course,
        due_on=dt.date(2026, 3, 31),
        reason="compliance",
    )


def overdue(
    employee: EmployeeSnapshot, *, course: str = "SEC-101", manager_id: uuid.UUID | None = None
) -> EnrollmentOverdue:
    return EnrollmentOverdue(
        enrollment_id=uuid.uuid4(),
        employee_id=employee.employee_id,
        course_code=course,
        due_on=dt.date(2026, 1, 31),
        manager_id=manager_id if manager_id is not None else employee.manager_id,
    )


def deliveries(session: Session) -> list[Delivery]:
    return list(session.scalars(select(Delivery).order_by(Delivery.recipient_id, Delivery.channel)))


def principal_of(employee: EmployeeSnapshot, *roles: Role) -> Principal:
    return Principal(
        subject=str(employee.employee_id),
        employee_id=employee.employee_id,
        roles=frozenset(roles or (Role.EMPLOYEE,)),
    )


ADMIN = Principal(subject="admin", employee_id=None, roles=frozenset({Role.ADMIN}))


async def run(
    session: AsyncSession, query: str, *, as_: Principal, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any] | None, list[Any]]:
    """Run an operation through the real schema in the test's session: (data, errors)."""
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return result.data, list(result.errors or [])


async def execute(
    session: AsyncSession, query: str, *, as_: Principal, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    data, errors = await run(session, query, as_=as_, variables=variables)
    assert not errors, errors
    assert data is not None
    return data
