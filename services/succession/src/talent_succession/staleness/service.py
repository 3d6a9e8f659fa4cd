"""Staleness: the query of overdue reviews, and the worker's sweep that announces each
overdue record once (review.overdue) and each key role left without a ready-now
successor once until it is covered again (key_role.uncovered)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.succession import KeyRoleUncovered, ReviewOverdue
from talent_platform.auth import Principal
from talent_succession.audit.service import AuditLog, require_confidential
from talent_succession.db import outbox
from talent_succession.key_roles.models import KeyRole
from talent_succession.slates.models import Nomination
from talent_succession.staleness.models import StaleFlag
from talent_succession.staleness.repository import KINDS, stale_records

UNCOVERED = "key_role"


@dataclass(frozen=True)
class StaleRecord:
    kind: str
    record_id: uuid.UUID
    employee_id: uuid.UUID
    review_by: dt.date


class StalenessService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.audit = AuditLog(session, principal)

    async def page(
        self, as_of: dt.date, *, kinds: tuple[str, ...] = KINDS, offset: int, limit: int
    ) -> tuple[list[StaleRecord], int]:
        """Overdue records, most overdue first (the caller's own left out)."""
        await require_confidential(self.session, self.principal)
        await self.audit.record("report.read", "report", "stale_records", after={"as_of": as_of})
        stale = stale_records(as_of, kinds)
        statement = select(stale)
        if self.principal.employee_id is not None:
            statement = statement.where(stale.c.employee_id != self.principal.employee_id)
        total = int(
            await self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        )
        rows = await self.session.execute(
            statement.order_by(stale.c.review_by, stale.c.kind, stale.c.record_id)
            .offset(offset)
            .limit(limit)
        )
        return [StaleRecord(*row) for row in rows.all()], total


def sweep(session: Session, *, today: dt.date) -> list[EventPayload]:
    """Flag what became overdue or uncovered since the last sweep and queue one event
    for each; the caller commits. Idempotent: a second sweep on the same day queues
    nothing."""
    stale = stale_records(today)
    flagged = session.execute(
        insert(StaleFlag)
        .from_select(
            ["id", "record_kind", "record_id", "due_on"],
            select(func.gen_random_uuid(), stale.c.kind, stale.c.record_id, stale.c.review_by),
        )
        .on_conflict_do_nothing(index_elements=["record_kind", "record_id", "due_on"])
        .returning(StaleFlag.record_kind, StaleFlag.record_id, StaleFlag.due_on)
    ).all()
    employees = {
        (kind, record_id): employee_id
        for kind, record_id, employee_id, _ in session.execute(select(stale)).all()
    }
    events: list[EventPayload] = [
        ReviewOverdue(
            record_kind=kind,
            record_id=record_id,
            employee_id=employees[(kind, record_id)],
            review_by=due_on,
        )
        for kind, record_id, due_on in flagged
    ]

    ready = (
        select(Nomination.id)
        .where(
            Nomination.key_role_id == KeyRole.id,
            Nomination.removed_on.is_(None),
            Nomination.readiness == "ready_now",
        )
        .exists()
    )
    open_flag = (
        select(StaleFlag.id)
        .where(
            StaleFlag.record_kind == UNCOVERED,
            StaleFlag.record_id == KeyRole.id,
            StaleFlag.cleared_at.is_(None),
        )
        .exists()
    )
    # Covered again: clear the flag so a later gap is announced anew.
    covered = select(KeyRole.id).where(ready)
    session.execute(
        update(StaleFlag)
        .where(
            StaleFlag.record_kind == UNCOVERED,
            StaleFlag.cleared_at.is_(None),
            StaleFlag.record_id.in_(covered),
        )
        .values(cleared_at=func.now())
    )
    successors = (
        select(func.count(Nomination.id))
        .where(Nomination.key_role_id == KeyRole.id, Nomination.removed_on.is_(None))
        .scalar_subquery()
    )
    uncovered = session.execute(
        select(KeyRole.id, KeyRole.code, KeyRole.criticality, successors).where(
            and_(~ready, ~open_flag)
        )
    ).all()
    for role_id, code, criticality, count in uncovered:
        session.add(StaleFlag(record_kind=UNCOVERED, record_id=role_id, due_on=today))
        events.append(
            KeyRoleUncovered(
                key_role_id=role_id, code=code, criticality=criticality, successors=count
            )
        )
    session.flush()
    outbox.add(session, *events)
    return events
