"""Keeps the employee projection up to date from the people service's events, and acts
on them: a hire gets onboarding and compliance assignments, a transfer or update the
compliance assignments of the population the employee now belongs to.

Every employee event carries the full snapshot after the change, so each one is an
upsert of the whole row. Events of one employee arrive in order (they share a Kafka key);
the `updated_at` guard only stops a stale re-delivery (a dead letter re-driven later,
say) from overwriting a newer state.

Each event also records the snapshot in the employee's history (`employee_history`),
effective from the event's own date: the hire date for a hire, `effective_on` for a
transfer, `terminated_on` for a termination (the terminated state starts that day) and
the event's day for an update. See `record_history`.
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import func, select, update
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
from talent_learning.people.models import EmployeeHistory, EmployeeProjection
from talent_platform.events import Envelope, HandlerRegistry

EMPLOYEE_EVENTS = (EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)

registry = HandlerRegistry()


def project_employee(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    """Upsert the projection row from the event's employee snapshot; then assign what a
    hire, transfer or update calls for."""
    if not isinstance(payload, EMPLOYEE_EVENTS):
        raise TypeError(f"not an employee event: {type(payload).__name__}")
    upsert_employee(session, payload.employee, envelope=envelope)
    record_history(session, payload, envelope=envelope)
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


EmployeeEvent = EmployeeHired | EmployeeUpdated | EmployeeTransferred | EmployeeTerminated


def effective_on(payload: EmployeeEvent, envelope: Envelope) -> dt.date:
    """The day from which the event's snapshot was true: never before the hire date."""
    snapshot = payload.employee
    if isinstance(payload, EmployeeHired):
        return snapshot.hire_date
    if isinstance(payload, EmployeeTransferred):
        day = payload.effective_on
    elif isinstance(payload, EmployeeTerminated):
        day = payload.terminated_on
    else:
        day = envelope.time.astimezone(dt.UTC).date()
    return max(day, snapshot.hire_date)


def record_history(session: Session, payload: EmployeeEvent, *, envelope: Envelope) -> None:
    """Record the event's snapshot as the employee's state from its effective day, in
    three set-based statements, each idempotent, so a redelivered or replayed event
    changes nothing and events may arrive in any order:

    1. upsert the row keyed (employee, effective day); of two events effective the same
       day the later-recorded one wins;
    2. a backdated transfer or termination also corrects the rows dated after its
       effective day that were recorded before it (they did not know of it yet): their
       manager and job profile, or their status;
    3. recompute `valid_to` of the employee's rows as the next row's `valid_from`.
    """
    snapshot = payload.employee
    day = effective_on(payload, envelope)
    values = {
        "employee_id": snapshot.employee_id,
        "valid_from": day,
        "status": snapshot.status,
        "manager_id": snapshot.manager_id,
        "org_unit_code": snapshot.org_unit_code,
        "job_profile_code": snapshot.job_profile_code,
        "location": snapshot.location,
        "hire_date": snapshot.hire_date,
        "recorded_at": envelope.time,
    }
    statement = insert(EmployeeHistory).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[EmployeeHistory.employee_id, EmployeeHistory.valid_from],
        set_={
            name: statement.excluded[name]
            for name in values
            if name not in ("employee_id", "valid_from")
        },
        where=EmployeeHistory.recorded_at <= statement.excluded.recorded_at,
    )
    session.execute(statement)

    corrections: dict[str, object] = {}
    if isinstance(payload, EmployeeTransferred):
        corrections = {
            "manager_id": snapshot.manager_id,
            "job_profile_code": snapshot.job_profile_code,
        }
    elif isinstance(payload, EmployeeTerminated):
        corrections = {"status": snapshot.status}
    if corrections:
        session.execute(
            update(EmployeeHistory)
            .where(
                EmployeeHistory.employee_id == snapshot.employee_id,
                EmployeeHistory.valid_from > day,
                EmployeeHistory.recorded_at < envelope.time,
            )
            .values(corrections)
        )

    following = (
        select(
            EmployeeHistory.valid_from.label("valid_from"),
            func.lead(EmployeeHistory.valid_from)
            .over(order_by=EmployeeHistory.valid_from)
            .label("next_from"),
        )
        .where(EmployeeHistory.employee_id == snapshot.employee_id)
        .subquery("following")
    )
    session.execute(
        update(EmployeeHistory)
        .where(
            EmployeeHistory.employee_id == snapshot.employee_id,
            EmployeeHistory.valid_from == following.c.valid_from,
            EmployeeHistory.valid_to.is_distinct_from(following.c.next_from),
        )
        .values(valid_to=following.c.next_from)
    )
