"""From an employee's before/after snapshots to the events that describe the change."""

from __future__ import annotations

import datetime as dt

from talent_contracts import EventPayload
from talent_contracts.people import (
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
)

_PLAIN_FIELDS = ("employee_number", "name", "email", "hire_date", "org_unit_code", "location")


def employee_events(
    before: EmployeeSnapshot | None, after: EmployeeSnapshot, *, effective_on: dt.date
) -> list[EventPayload]:
    """One event per kind of change; nothing when nothing changed (re-imports are silent)."""
    if before is None:
        return [EmployeeHired(employee_id=after.employee_id, employee=after)]
    if before == after:
        return []
    found: list[EventPayload] = []
    changed = tuple(f for f in _PLAIN_FIELDS if getattr(before, f) != getattr(after, f))
    if changed:
        found.append(
            EmployeeUpdated(employee_id=after.employee_id, employee=after, changed_fields=changed)
        )
    if (before.manager_id, before.job_profile_code) != (after.manager_id, after.job_profile_code):
        found.append(
            EmployeeTransferred(
                employee_id=after.employee_id,
                employee=after,
                previous_manager_id=before.manager_id,
                previous_job_profile_code=before.job_profile_code,
                effective_on=effective_on,
            )
        )
    if before.status != after.status and after.status == "terminated":
        found.append(
            EmployeeTerminated(
                employee_id=after.employee_id, employee=after, terminated_on=effective_on
            )
        )
    elif before.status != after.status:
        # Rehire: the same employee number becomes active again.
        found.append(EmployeeHired(employee_id=after.employee_id, employee=after))
    return found
