"""Keeps the employee projection current from the people service's events, and lets
key roles and slates follow the people they name.

For each employee whose row an event changed (not a stale re-delivery's):
- a terminated incumbent vacates their key roles (key_role.vacated, reason terminated),
  and their open nominations are removed (successor.removed, reason terminated);
- an incumbent transferred to another job profile than the key role's vacates it
  (reason transferred); a role without a job profile keeps its incumbent.

The projection itself is the platform's (`talent_platform.employees`): employee events
come as a batch's run, applied in waves in which each employee occurs once, one upsert
per wave (which also sets a termination's `terminated_on`), then the (rare) terminations
and transfers one by one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_contracts.people import (
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
)
from talent_contracts.succession import SuccessorRemoved
from talent_platform.employees import EMPLOYEE_EVENTS, EmployeeItem, employee_handler
from talent_platform.events import HandlerRegistry
from talent_succession.audit.models import AuditEntry
from talent_succession.db import outbox
from talent_succession.key_roles.events import key_role_vacated
from talent_succession.key_roles.models import KeyRole
from talent_succession.people.models import EmployeeProjection
from talent_succession.slates.models import Nomination

# The actor of changes the consumer makes, in the audit log.
PEOPLE_EVENTS_ACTOR = "people-events"


def on_employees(session: Session, wave: Sequence[EmployeeItem], applied: set[uuid.UUID]) -> None:
    """After the projection's upsert: the key roles and slates of those terminated or
    transferred (not for a stale re-delivery)."""
    for payload, _ in wave:
        if payload.employee.employee_id not in applied:
            continue
        if isinstance(payload, EmployeeTerminated):
            on_terminated(session, payload.employee_id, on=payload.terminated_on)
        elif isinstance(payload, EmployeeTransferred):
            on_transferred(session, payload.employee, on=payload.effective_on)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*EMPLOYEE_EVENTS)(employee_handler(EmployeeProjection, then=on_employees))


def on_terminated(session: Session, employee_id: uuid.UUID, *, on: dt.date) -> None:
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
        outbox.add(
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
    outbox.add(
        session,
        key_role_vacated(
            role,
            previous_incumbent_id=previous,
            reason="terminated" if reason == "terminated" else "transferred",
            on=on,
        ),
    )
