"""Who hears about a learning event, decided from the notifier's projection of people at
the time the event is handled:

- an assignment, a due-soon reminder and an expiring certification: the employee;
- an overdue enrollment: the employee and their manager (the projection's current
  manager; the event's only while the employee is not in the projection yet);
- nobody who is terminated: a terminated employee's notices go to no one, and a
  terminated manager is skipped.

An employee the projection does not know yet (people's hire and learning's assignment
travel on different topics, so they may arrive in either order) still gets the
notification: their address is looked up when the email is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from talent_contracts.learning import (
    CertificationExpiring,
    EnrollmentAssigned,
    EnrollmentDueSoon,
    EnrollmentOverdue,
)
from talent_notifier.notifications.models import Audience, NotificationKind

LearningNotice = EnrollmentAssigned | EnrollmentDueSoon | EnrollmentOverdue | CertificationExpiring
LEARNING_NOTICES = (EnrollmentAssigned, EnrollmentDueSoon, EnrollmentOverdue, CertificationExpiring)

TERMINATED = "terminated"


@dataclass(frozen=True)
class Person:
    """What recipient rules need of a projected employee."""

    employee_id: uuid.UUID
    status: str
    manager_id: uuid.UUID | None


@dataclass(frozen=True)
class Recipient:
    employee_id: uuid.UUID
    audience: Audience


def kind_of(event: LearningNotice) -> NotificationKind:
    if isinstance(event, EnrollmentAssigned):
        return NotificationKind.ENROLLMENT_ASSIGNED
    if isinstance(event, EnrollmentDueSoon):
        return NotificationKind.ENROLLMENT_DUE_SOON
    if isinstance(event, EnrollmentOverdue):
        return NotificationKind.ENROLLMENT_OVERDUE
    return NotificationKind.CERTIFICATION_EXPIRING


def manager_of(event: LearningNotice, people: Mapping[uuid.UUID, Person]) -> uuid.UUID | None:
    """The employee's manager now: from the projection, else (employee not projected yet)
    the one the event names."""
    employee = people.get(event.employee_id)
    if employee is not None:
        return employee.manager_id
    return getattr(event, "manager_id", None)


def recipients(event: LearningNotice, people: Mapping[uuid.UUID, Person]) -> list[Recipient]:
    employee = people.get(event.employee_id)
    if employee is not None and employee.status == TERMINATED:
        return []
    found = [Recipient(event.employee_id, Audience.EMPLOYEE)]
    if isinstance(event, EnrollmentOverdue):
        manager_id = manager_of(event, people)
        manager = people.get(manager_id) if manager_id is not None else None
        if (
            manager_id is not None
            and manager_id != event.employee_id
            and (manager is None or manager.status != TERMINATED)
        ):
            found.append(Recipient(manager_id, Audience.MANAGER))
    return found


def message_data(event: LearningNotice) -> dict[str, str | None]:
    """What a notification about `event` says, kept with each delivery (JSON)."""
    data: dict[str, str | None] = {"course_code": event.course_code}
    if isinstance(event, CertificationExpiring):
        data["completion_id"] = str(event.completion_id)
        data["valid_until"] = event.valid_until.isoformat()
    else:
        data["enrollment_id"] = str(event.enrollment_id)
        data["due_on"] = event.due_on.isoformat() if event.due_on is not None else None
    if isinstance(event, EnrollmentAssigned):
        data["reason"] = str(event.reason)
    return data
