"""Keeps the employee projection current from the people service's events (the
platform's projection, `talent_platform.employees`); the notifier has no reaction of its
own: recipients are resolved from the projection when a notification is made and again
when an email is sent."""

from __future__ import annotations

from talent_notifier.people.models import EmployeeProjection
from talent_platform.employees import EMPLOYEE_EVENTS, employee_handler
from talent_platform.events import HandlerRegistry


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*EMPLOYEE_EVENTS)(employee_handler(EmployeeProjection))
