"""Keeps the employee projection and its history up to date from the people service's
events. Onboarding (paths/consumers.py) and compliance (compliance/consumers.py)
subscribe to the same events themselves; the worker's registry (talent_learning.consumers)
runs this projection first.

Each event also records the snapshot in the employee's history (`employee_history`,
people/history.py), effective from the event's own date.

The projection itself is the platform's (`talent_platform.employees`): per wave of
distinct employees one multi-row upsert; learning adds, per wave, one upsert of the
history and one `valid_to` recompute.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_learning.people.history import record_history
from talent_learning.people.models import EmployeeProjection
from talent_platform.employees import EMPLOYEE_EVENTS, EmployeeItem, employee_handler
from talent_platform.events import HandlerRegistry

registry = HandlerRegistry()


def on_employees(session: Session, wave: Sequence[EmployeeItem], applied: set[uuid.UUID]) -> None:
    """After the projection's upsert: record the wave's history (stale re-deliveries too:
    the history decides by each row's own time)."""
    record_history(session, wave)


registry.on_batch(*EMPLOYEE_EVENTS)(employee_handler(EmployeeProjection, then=on_employees))
