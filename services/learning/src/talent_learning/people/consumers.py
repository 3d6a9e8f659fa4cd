"""Keeps the employee projection up to date from the people service's events, and acts
on them: a hire gets onboarding and compliance assignments, a transfer or update the
compliance assignments of the population the employee now belongs to.

Every employee event carries the full snapshot after the change, so each one is an
upsert of the whole row. Events of one employee arrive in order (they share a Kafka key);
the `updated_at` guard only stops a stale re-delivery (a dead letter re-driven later,
say) from overwriting a newer state.
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.people import (
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)
from talent_learning.compliance.rules import apply_rules_sync
from talent_learning.config import LearningSettings
from talent_learning.paths.onboarding import assign_onboarding_sync
from talent_learning.people.models import EmployeeProjection
from talent_platform.events import Envelope, HandlerRegistry

EMPLOYEE_EVENTS = (EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)

registry = HandlerRegistry()


def project_employee(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    """Upsert the projection row from the event's employee snapshot; then assign what a
    hire, transfer or update calls for."""
    if not isinstance(payload, EMPLOYEE_EVENTS):
        raise TypeError(f"not an employee event: {type(payload).__name__}")
    upsert_employee(session, payload.employee, envelope=envelope)
    if isinstance(payload, EmployeeTerminated) or payload.employee.status != "active":
        return
    if isinstance(payload, EmployeeHired):
        assign_onboarding_sync(session, payload.employee)
    apply_rules_sync(
        session,
        today=dt.datetime.now(dt.UTC).date(),
        lead_days=_lead_days(),
        employee_ids=[payload.employee_id],
    )


@functools.cache
def _lead_days() -> int:
    return LearningSettings().recertify_lead_days


for _event in EMPLOYEE_EVENTS:
    registry.on(_event)(project_employee)


def upsert_employee(session: Session, snapshot: EmployeeSnapshot, *, envelope: Envelope) -> None:
    values = {
        "employee_id": snapshot.employee_id,
        "employee_number": snapshot.employee_number,
        "name": snapshot.name,
        "email": snapshot.email,
        "status": snapshot.status,
        "manager_id": snapshot.manager_id,
        "org_unit_code": snapshot.org_unit_code,
        "job_profile_code": snapshot.job_profile_code,
        "location": snapshot.location,
        "hire_date": snapshot.hire_date,
        "updated_at": envelope.time,
    }
    statement = insert(EmployeeProjection).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[EmployeeProjection.employee_id],
        set_={name: statement.excluded[name] for name in values if name != "employee_id"},
        where=EmployeeProjection.updated_at <= statement.excluded.updated_at,
    )
    session.execute(statement)
