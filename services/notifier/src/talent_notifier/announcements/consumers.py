"""Learning's events keep the overdue enrollments an announcement's audience may name
(overdue.py). No notice here: announcements are sent by coordinators (service.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.learning import (
    EnrollmentCancelled,
    EnrollmentCompleted,
    EnrollmentOverdue,
    EnrollmentWaived,
)
from talent_notifier.announcements import overdue
from talent_platform.events import HandlerRegistry
from talent_platform.events.handlers import BatchItem

OVERDUE_EVENTS = (EnrollmentOverdue, EnrollmentCompleted, EnrollmentWaived, EnrollmentCancelled)


def keep_overdue(session: Session, items: Sequence[BatchItem]) -> None:
    events: list[overdue.OverdueEvent] = []
    for payload, _ in items:
        if not isinstance(payload, OVERDUE_EVENTS):
            raise TypeError(f"not an enrollment event: {type(payload).__name__}")
        events.append(payload)
    overdue.apply(session, events)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*OVERDUE_EVENTS)(keep_overdue)
