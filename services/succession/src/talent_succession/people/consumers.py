"""Keeps the employee projection current from the people service's events, and lets
key roles and slates follow the people they name.

Every employee event carries the full snapshot after the change, so each one is an
upsert of the whole row (the `updated_at` guard stops a stale re-delivery from
overwriting a newer state). Then:
- a terminated incumbent vacates their key roles (key_role.vacated, reason terminated),
  and their open nominations are removed (successor.removed, reason terminated);
- an incumbent transferred to another job profile than the key role's vacates it
  (reason transferred); a role without a job profile keeps its incumbent.

Employee events come as a batch's run, applied in waves in which each employee occurs
once (`in_waves`): one upsert per wave, then the (rare) terminations and transfers one
by one, which is what the events do one by one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from talent_contracts.people import (
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)
from talent_contracts.succession import SuccessorRemoved
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import BatchItem, Envelope, HandlerRegistry, in_waves
from talent_succession.audit.models import AuditEntry
from talent_succession.db import outbox
from talent_succession.key_roles.events import key_role_vacated
from talent_succession.key_roles.models import KeyRole
from talent_succession.people.models import EmployeeProjection
from talent_succession.slates.models import Nomination

EMPLOYEE_EVENTS = (EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)
# The actor of changes the consumer makes, in the audit log.
PEOPLE_EVENTS_ACTOR = "people-events"


def project_employees(session: Session, items: Sequence[BatchItem]) -> None:
    """Per wave of distinct employees: one guarded upsert returning whose row changed,
    then the key roles and slates of those terminated or transferred."""
    events: list[tuple[EmployeeEvent, Envelope]] = []
    for payload, envelope in items:
        if not isinstance(payload, EMPLOYEE_EVENTS):
            raise TypeError(f"not an employee event: {type(payload).__name__}")
        events.append((payload, envelope))
    for wave in in_waves(events, key=lambda event: event[0].employee.employee_id):
        applied = set(upsert_employees(session, wave))
        for payload, _ in wave:
            if payload.employee.employee_id not in applied:
                continue  # a stale re-delivery
            if isinstance(payload, EmployeeTerminated):
                on_terminated(session, payload.employee_id, on=payload.terminated_on)
            elif isinstance(payload, EmployeeTransferred):
                on_transferred(session, payload.employee, on=payload.effective_on)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*EMPLOYEE_EVENTS)(project_employees)


EmployeeEvent = EmployeeHired | EmployeeUpdated | EmployeeTransferred | EmployeeTerminated
EMPLOYEE_COLUMNS = (
    "employee_id",
    "employee_number",
    "name",
    "email",
    "status",
    "manager_id",
    "org_unit_code",
    "job_profile_code",
    "hire_date",
    "updated_at",
)


def upsert_employees(
    session: Session, wave: Sequence[tuple[EmployeeEvent, Envelope]]
) -> list[uuid.UUID]:
    """Upsert the rows (each employee at most once in `wave`); returns the employees whose
    row was written (not those whose stored row is newer than the event)."""
    rows = [
        {
            "employee_id": snapshot.employee_id,
            "employee_number": snapshot.employee_number,
            "name": snapshot.name,
            "email": snapshot.email,
            "status": snapshot.status,
            "manager_id": snapshot.manager_id,
            "org_unit_code": snapshot.org_unit_code,
            "job_profile_code": snapshot.job_profile_code,
            "hire_date": snapshot.hire_date,
            "updated_at": envelope.time,
        }
        for snapshot, envelope in ((payload.employee, envelope) for payload, envelope in wave)
    ]
    statement = unnest_insert(EmployeeProjection, EMPLOYEE_COLUMNS)
    upsert = statement.on_conflict_do_update(
        index_elements=[EmployeeProjection.employee_id],
        set_={name: statement.excluded[name] for name in EMPLOYEE_COLUMNS if name != "employee_id"},
        where=EmployeeProjection.updated_at <= statement.excluded.updated_at,
    ).returning(EmployeeProjection.employee_id)
    return list(session.scalars(upsert, unnest_params(rows, EMPLOYEE_COLUMNS)))


def on_terminated(session: Session, employee_id: uuid.UUID, *, on: dt.date) -> None:
    session.execute(
        update(EmployeeProjection)
        .where(EmployeeProjection.employee_id == employee_id)
        .values(terminated_on=on)
    )
    for role in session.scalars(
        select(KeyRole).where(KeyRole.incumbent_id == employee_id).with_for_update()
    ):
        _vacate(session, role, reason="terminated", on=on)
    for nomination in session.scalars(
        select(Nomination)
        .where(Nomination.employee_id == employee_id, Nomination.removed_on.is_(None))
        .with_for_update()
    ):
        before = {"removed_on": None}
        nomination.removed_on = on
        nomination.removed_reason = "terminated"
        nomination.removed_by = PEOPLE_EVENTS_ACTOR
        role = session.get_one(KeyRole, nomination.key_role_id)
        session.add(
            AuditEntry(
                actor=PEOPLE_EVENTS_ACTOR,
                action="successor.removed",
                entity="nomination",
                entity_id=str(nomination.id),
                before=before,
                after={"removed_on": on.isoformat(), "removed_reason": "terminated"},
            )
        )
        outbox.add_sync(
            session,
            SuccessorRemoved(
                nomination_id=nomination.id,
                key_role_id=role.id,
                key_role_code=role.code,
                employee_id=employee_id,
                reason="terminated",
                removed_on=on,
            ),
        )
    session.flush()


def on_transferred(session: Session, employee: EmployeeSnapshot, *, on: dt.date) -> None:
    for role in session.scalars(
        select(KeyRole)
        .where(
            KeyRole.incumbent_id == employee.employee_id,
            KeyRole.job_profile_code.is_not(None),
            KeyRole.job_profile_code != employee.job_profile_code,
        )
        .with_for_update()
    ):
        _vacate(session, role, reason="transferred", on=on)
    session.flush()


def _vacate(session: Session, role: KeyRole, *, reason: str, on: dt.date) -> None:
    previous = role.incumbent_id
    assert previous is not None
    role.incumbent_id = None
    role.vacated_on = on
    session.add(
        AuditEntry(
            actor=PEOPLE_EVENTS_ACTOR,
            action="key_role.vacated",
            entity="key_role",
            entity_id=str(role.id),
            before={"incumbent_id": str(previous), "vacated_on": None},
            after={"incumbent_id": None, "vacated_on": on.isoformat(), "reason": reason},
        )
    )
    outbox.add_sync(
        session,
        key_role_vacated(
            role,
            previous_incumbent_id=previous,
            reason="terminated" if reason == "terminated" else "transferred",
            on=on,
        ),
    )
