"""Key roles losing their incumbent to people's events (`people/consumers.py`): a
terminated incumbent vacates all their key roles, an incumbent transferred to another job
profile than a role's vacates that role (a role without a job profile keeps its
incumbent). Each vacancy is audited as key_role.vacated and announced by key_role.vacated.

HR clearing an incumbent is a change of the role instead (`KeyRoleService.define`:
key_role.changed and key_role.defined, then key_role.vacated with reason cleared).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_succession.audit.service import record_entry
from talent_succession.db import outbox
from talent_succession.key_roles.events import key_role_vacated
from talent_succession.key_roles.models import KeyRole


def vacate_roles_of_terminated(
    session: Session, employee_id: uuid.UUID, *, on: dt.date, by: str
) -> None:
    """The key roles the terminated employee held, locked, become vacant on `on`."""
    for role in session.scalars(
        select(KeyRole).where(KeyRole.incumbent_id == employee_id).with_for_update()
    ):
        _vacate(session, role, reason="terminated", on=on, by=by)
    session.flush()


def vacate_roles_of_transferred(
    session: Session, employee: EmployeeSnapshot, *, on: dt.date, by: str
) -> None:
    """The key roles the transferred employee held, locked, that ask for another job
    profile than the employee's new one become vacant on `on`."""
    for role in session.scalars(
        select(KeyRole)
        .where(
            KeyRole.incumbent_id == employee.employee_id,
            KeyRole.job_profile_code.is_not(None),
            KeyRole.job_profile_code != employee.job_profile_code,
        )
        .with_for_update()
    ):
        _vacate(session, role, reason="transferred", on=on, by=by)
    session.flush()


def _vacate(
    session: Session,
    role: KeyRole,
    *,
    reason: Literal["terminated", "transferred"],
    on: dt.date,
    by: str,
) -> None:
    previous = role.incumbent_id
    assert previous is not None
    role.incumbent_id = None
    role.vacated_on = on
    record_entry(
        session,
        by,
        "key_role.vacated",
        "key_role",
        role.id,
        before={"incumbent_id": str(previous), "vacated_on": None},
        after={"incumbent_id": None, "vacated_on": on.isoformat(), "reason": reason},
    )
    outbox.add(
        session, key_role_vacated(role, previous_incumbent_id=previous, reason=reason, on=on)
    )
