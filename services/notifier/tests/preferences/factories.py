"""Typed factories for preferences: people in an org unit, own choices, HR defaults and
quiet hours written as the API would leave them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from talent_contracts.learning import CertificationExpiring, EnrollmentAssigned
from talent_contracts.people import EmployeeHired, EmployeeSnapshot
from talent_notifier.notifications.models import Channel
from talent_notifier.preferences.models import (
    ORG_WIDE,
    Category,
    Frequency,
    NotificationDefault,
    NotificationPreference,
    QuietHours,
)

from ..factories import deliver, snapshot


def hire_in(
    session: Session,
    name: str,
    *,
    org_unit_code: str = "Engineering",
    manager: EmployeeSnapshot | None = None,
) -> EmployeeSnapshot:
    employee = snapshot(name, manager=manager, org_unit_code=org_unit_code)
    deliver(
        session,
        EmployeeHired(employee_id=employee.employee_id, employee=employee),
        service="people",
    )
    return employee


def choose(
    session: Session,
    employee: EmployeeSnapshot,
    frequency: Frequency,
    *,
    channel: Channel = Channel.EMAIL,
    category: Category = Category.LEARNING,
) -> None:
    session.add(
        NotificationPreference(
            employee_id=employee.employee_id,
            category=category.value,
            channel=channel.value,
            frequency=frequency.value,
        )
    )
    session.flush()


def default(
    session: Session,
    frequency: Frequency,
    *,
    org_unit_code: str = ORG_WIDE,
    channel: Channel = Channel.EMAIL,
    category: Category = Category.LEARNING,
) -> None:
    session.add(
        NotificationDefault(
            org_unit_code=org_unit_code,
            category=category.value,
            channel=channel.value,
            frequency=frequency.value,
        )
    )
    session.flush()


def quiet(
    session: Session, employee: EmployeeSnapshot, start: dt.time, end: dt.time, time_zone: str
) -> None:
    session.add(
        QuietHours(employee_id=employee.employee_id, start=start, end=end, time_zone=time_zone)
    )
    session.flush()


def assigned_for(
    employee: EmployeeSnapshot, reason: str, *, course: str = "SEC-101"
) -> EnrollmentAssigned:
    return EnrollmentAssigned.model_validate(
        {
            "enrollment_id": uuid.uuid4(),
            "employee_id": employee.employee_id,
            "course_code": course,
            "due_on": dt.date(2026, 3, 31),
            "reason": reason,
        }
    )


def expiring(employee: EmployeeSnapshot, *, course: str = "FIRE-1") -> CertificationExpiring:
    return CertificationExpiring(
        completion_id=uuid.uuid4(),
        employee_id=employee.employee_id,
        course_code=course,
        completed_on=dt.date(2024, 2, 1),
        valid_until=dt.date(2026, 2, 1),
        manager_id=employee.manager_id,
    )
