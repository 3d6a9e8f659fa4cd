"""Reading preferences on a sync Session: what the consumer uses when it records
notifications, what the email job uses for quiet hours, and what the API shows (through
`run_sync`), so the rule of whose setting applies is run by one piece of code."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_notifier.db import among
from talent_notifier.notifications.models import Channel
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.preferences.models import (
    Category,
    ComplianceEnrollment,
    Frequency,
    NotificationDefault,
    NotificationPreference,
    QuietHours,
)
from talent_notifier.preferences.rules import QuietWindow, Settings, unit_path


def settings_of(session: Session, employee_ids: Collection[uuid.UUID]) -> Settings:
    """Own choices, org units and the defaults that can apply to these people."""
    ids = list(employee_ids)
    if not ids:
        return Settings(own={}, defaults={}, org_units={})
    org_units = {
        row.employee_id: row.org_unit_code
        for row in session.execute(
            select(EmployeeProjection.employee_id, EmployeeProjection.org_unit_code).where(
                among(EmployeeProjection.employee_id, ids)
            )
        )
    }
    own = {
        (row.employee_id, Category(row.category), Channel(row.channel)): Frequency(row.frequency)
        for row in session.execute(
            select(
                NotificationPreference.employee_id,
                NotificationPreference.category,
                NotificationPreference.channel,
                NotificationPreference.frequency,
            ).where(among(NotificationPreference.employee_id, ids))
        )
    }
    units = {unit for code in {*org_units.values(), None} for unit in unit_path(code)}
    defaults = {
        (row.org_unit_code, Category(row.category), Channel(row.channel)): Frequency(row.frequency)
        for row in session.execute(
            select(
                NotificationDefault.org_unit_code,
                NotificationDefault.category,
                NotificationDefault.channel,
                NotificationDefault.frequency,
            ).where(NotificationDefault.org_unit_code.in_(list(units)))
        )
    }
    return Settings(own=own, defaults=defaults, org_units=org_units)


def quiet_windows(
    session: Session, employee_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, QuietWindow]:
    if not employee_ids:
        return {}
    return {
        row.employee_id: QuietWindow(row.start, row.end, row.time_zone)
        for row in session.scalars(
            select(QuietHours).where(among(QuietHours.employee_id, employee_ids))
        )
    }


def remember_compliance(session: Session, enrollment_ids: Collection[uuid.UUID]) -> None:
    """Note enrollments assigned for compliance (again: nothing new)."""
    if enrollment_ids:
        session.execute(
            insert(ComplianceEnrollment)
            .values([{"enrollment_id": e} for e in enrollment_ids])
            .on_conflict_do_nothing(index_elements=["enrollment_id"])
        )


def compliance_enrollments(
    session: Session, enrollment_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of the enrollments that were assigned for compliance."""
    if not enrollment_ids:
        return set()
    return set(
        session.scalars(
            select(ComplianceEnrollment.enrollment_id).where(
                among(ComplianceEnrollment.enrollment_id, enrollment_ids)
            )
        )
    )
