"""Typed factories for the succession tests: recipients as the admins' API leaves them,
and succession's events as its staleness sweep and slates publish them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleUncovered,
    Level,
    ReviewOverdue,
    StaleRecordKind,
)
from talent_notifier.succession.models import SuccessionRecipient


def recipient(
    session: Session, employee: EmployeeSnapshot, *, org_unit_code: str | None = None
) -> None:
    session.add(
        SuccessionRecipient(
            employee_id=employee.employee_id, org_unit_code=org_unit_code, created_by="admin"
        )
    )
    session.flush()


def defined(code: str, *, title: str, criticality: Level = "high") -> KeyRoleDefined:
    return KeyRoleDefined(
        key_role_id=uuid.uuid4(),
        code=code,
        title=title,
        job_profile_code=None,
        incumbent_id=None,
        org_unit_code=None,
        criticality=criticality,
        risk_of_loss=None,
        impact_of_loss=None,
        expected_vacancy_date=None,
    )


def uncovered(role: KeyRoleDefined, *, successors: int = 1) -> KeyRoleUncovered:
    return KeyRoleUncovered(
        key_role_id=role.key_role_id,
        code=role.code,
        criticality=role.criticality,
        successors=successors,
    )


def overdue_record(
    employee: EmployeeSnapshot,
    kind: StaleRecordKind = "potential",
    *,
    record_id: uuid.UUID | None = None,
    review_by: dt.date = dt.date(2026, 5, 1),
) -> ReviewOverdue:
    return ReviewOverdue(
        record_kind=kind,
        record_id=record_id or uuid.uuid4(),
        employee_id=employee.employee_id,
        review_by=review_by,
    )
