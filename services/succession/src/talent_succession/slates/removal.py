"""Removing successors from slates, one implementation for HR's removals
(`SlateService.remove`, through `run_sync`) and people's terminations
(`people/consumers.py`). Removal keeps the row, the slate's history, with its reason."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_succession.audit.service import record_entry, snapshot
from talent_succession.db import outbox
from talent_succession.key_roles.models import KeyRole
from talent_succession.slates.events import successor_removed
from talent_succession.slates.models import Nomination


def remove_successor(
    session: Session, nomination: Nomination, *, reason: str, on: dt.date, by: str
) -> None:
    """Take the open `nomination` off its slate on `on`: audited as successor.removed by
    `by` and announced by successor.removed."""
    before = snapshot(nomination)
    nomination.removed_on = on
    nomination.removed_reason = reason
    nomination.removed_by = by
    session.flush()
    record_entry(
        session,
        by,
        "successor.removed",
        "nomination",
        nomination.id,
        before=before,
        after=snapshot(nomination),
    )
    role = session.get_one(KeyRole, nomination.key_role_id)
    outbox.add(session, successor_removed(nomination, role))


def remove_nominations_of(
    session: Session, employee_id: uuid.UUID, *, reason: str, on: dt.date, by: str
) -> None:
    """Remove every open nomination of the employee (locking them first)."""
    for nomination in session.scalars(
        select(Nomination)
        .where(Nomination.employee_id == employee_id, Nomination.removed_on.is_(None))
        .with_for_update()
    ):
        remove_successor(session, nomination, reason=reason, on=on, by=by)
