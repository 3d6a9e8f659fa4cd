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
and transfers one by one, by the key roles' and slates' own functions
(`key_roles.vacancies`, `slates.removal`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeTerminated, EmployeeTransferred
from talent_platform.employees import EMPLOYEE_EVENTS, EmployeeItem, employee_handler
from talent_platform.events import HandlerRegistry
from talent_succession.key_roles.vacancies import (
    vacate_roles_of_terminated,
    vacate_roles_of_transferred,
)
from talent_succession.people.models import EmployeeProjection
from talent_succession.slates.removal import remove_nominations_of

# The actor of changes the consumer makes, in the audit log.
PEOPLE_EVENTS_ACTOR = "people-events"


def on_employees(session: Session, wave: Sequence[EmployeeItem], applied: set[uuid.UUID]) -> None:
    """After the projection's upsert: the key roles and slates of those terminated or
    transferred (not for a stale re-delivery)."""
    for payload, _ in wave:
        if payload.employee.employee_id not in applied:
            continue
        if isinstance(payload, EmployeeTerminated):
            on = payload.terminated_on
            vacate_roles_of_terminated(session, payload.employee_id, on=on, by=PEOPLE_EVENTS_ACTOR)
            remove_nominations_of(
                session, payload.employee_id, reason="terminated", on=on, by=PEOPLE_EVENTS_ACTOR
            )
        elif isinstance(payload, EmployeeTransferred):
            vacate_roles_of_transferred(
                session, payload.employee, on=payload.effective_on, by=PEOPLE_EVENTS_ACTOR
            )


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*EMPLOYEE_EVENTS)(employee_handler(EmployeeProjection, then=on_employees))
