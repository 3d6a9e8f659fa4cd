"""The review tasks the notifier keeps (`review_task`) from performance's review events,
each cycle's current phase (`review_cycle_state`), and who is behind in a phase, as
performance's `whoIsBehind` counts it (synchronous sessions: the consumer's, or a request's
through `run_sync`).

A batch's events for one review are folded in order (all of them are keyed by the
employee reviewed, so they arrive in the order performance committed them) into one row
each, written with one upsert: a redelivered or replayed history ends in the same state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.performance import (
    ReviewAssigned,
    ReviewCancelled,
    ReviewSignedOff,
    ReviewSubmitted,
)
from talent_notifier.db import among
from talent_notifier.people.models import EmployeeProjection
from talent_notifier.reviews.models import CycleState, ReviewTask

TaskEvent = ReviewAssigned | ReviewSubmitted | ReviewCancelled | ReviewSignedOff

# The phase each kind of review is written in (performance's cycles/population.py).
WRITTEN_IN = {"self": "self_review", "peer": "peer_feedback", "manager": "manager_review"}

# Performance's `pending_of` (cycles/service.py): the review kind each tracked phase is
# about, and the statuses that count as behind in it.
PENDING: dict[str, tuple[str, tuple[str, ...]]] = {
    "self_review": ("self", ("draft",)),
    "peer_feedback": ("peer", ("draft",)),
    "manager_review": ("manager", ("draft",)),
    "sign_off": ("manager", ("draft", "submitted")),
}
TRACKED_PHASES = tuple(PENDING)


def fold(events: Iterable[TaskEvent]) -> tuple[list[dict[str, Any]], dict[uuid.UUID, str]]:
    """The rows to upsert (reviews whose kind the events tell) and the status-only changes
    (a cancellation of a review no event of the batch described)."""
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    statuses: dict[uuid.UUID, str] = {}
    for event in events:
        row = rows.get(event.review_id)
        if isinstance(event, ReviewAssigned):
            rows[event.review_id] = {
                "review_id": event.review_id,
                "cycle_id": event.cycle_id,
                "cycle_code": event.cycle_code,
                "kind": event.kind,
                "employee_id": event.employee_id,
                "reviewer_id": event.reviewer_id,
                "phase": event.phase,
                "due_on": event.due_on,
                "status": "draft",
            }
            statuses.pop(event.review_id, None)
        elif isinstance(event, ReviewSubmitted | ReviewSignedOff):
            kind = event.kind if isinstance(event, ReviewSubmitted) else "manager"
            status = "submitted" if isinstance(event, ReviewSubmitted) else "signed_off"
            rows[event.review_id] = {
                **(row or {"due_on": None}),
                "review_id": event.review_id,
                "cycle_id": event.cycle_id,
                "cycle_code": event.cycle_code,
                "kind": kind,
                "employee_id": event.employee_id,
                "reviewer_id": event.reviewer_id,
                "phase": WRITTEN_IN[kind],
                "status": status,
            }
            statuses.pop(event.review_id, None)
        elif row is not None:
            row["status"] = "cancelled"
        else:
            statuses[event.review_id] = "cancelled"
    return list(rows.values()), statuses


def apply(session: Session, events: Sequence[TaskEvent]) -> list[dict[str, Any]]:
    """Record the events' reviews; returns the upserted rows (as the events left them)."""
    rows, statuses = fold(events)
    if rows:
        stmt = insert(ReviewTask).values(rows)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["review_id"],
                set_={
                    "cycle_code": stmt.excluded.cycle_code,
                    "kind": stmt.excluded.kind,
                    "employee_id": stmt.excluded.employee_id,
                    "reviewer_id": stmt.excluded.reviewer_id,
                    "phase": stmt.excluded.phase,
                    # A submission does not say the deadline: keep the one assigned.
                    "due_on": func.coalesce(stmt.excluded.due_on, ReviewTask.due_on),
                    "status": stmt.excluded.status,
                    "updated_at": func.now(),
                },
            )
        )
    for status in set(statuses.values()):
        ids = [review for review, s in statuses.items() if s == status]
        session.execute(
            update(ReviewTask)
            .where(among(ReviewTask.review_id, ids))
            .values(status=status, updated_at=func.now())
        )
    return rows


@dataclass(frozen=True)
class PhaseOpened:
    cycle_id: uuid.UUID
    cycle_code: str
    phase: str
    due_on: dt.date | None


def record_phases(session: Session, phases: Sequence[PhaseOpened]) -> None:
    """Each cycle's current phase (the last of the batch wins: one cycle's events arrive
    in order)."""
    latest = {p.cycle_id: p for p in phases}
    if not latest:
        return
    stmt = insert(CycleState).values(
        [
            {
                "cycle_id": p.cycle_id,
                "cycle_code": p.cycle_code,
                "phase": p.phase,
                "due_on": p.due_on,
            }
            for p in latest.values()
        ]
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["cycle_id"],
            set_={
                "cycle_code": stmt.excluded.cycle_code,
                "phase": stmt.excluded.phase,
                "due_on": stmt.excluded.due_on,
                "updated_at": func.now(),
            },
        )
    )


def current_phases(
    session: Session, cycle_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, PhaseOpened]:
    if not cycle_ids:
        return {}
    rows = session.scalars(select(CycleState).where(CycleState.cycle_id.in_(list(cycle_ids))))
    return {r.cycle_id: PhaseOpened(r.cycle_id, r.cycle_code, r.phase, r.due_on) for r in rows}


@dataclass(frozen=True)
class Pending:
    review_id: uuid.UUID
    employee_id: uuid.UUID
    reviewer_id: uuid.UUID
    kind: str
    due_on: dt.date | None


def pending(
    session: Session,
    cycle_id: uuid.UUID,
    phase: str,
    *,
    reviewers: Collection[uuid.UUID] | None = None,
) -> list[Pending]:
    """The reviews not done for a tracked phase (of these reviewers, when given), by
    reviewer then employee."""
    kind, statuses = PENDING[phase]
    query = select(
        ReviewTask.review_id,
        ReviewTask.employee_id,
        ReviewTask.reviewer_id,
        ReviewTask.kind,
        ReviewTask.due_on,
    ).where(
        ReviewTask.cycle_id == cycle_id,
        ReviewTask.kind == kind,
        ReviewTask.status.in_(statuses),
        ReviewTask.reviewer_id.is_not(None),
    )
    if reviewers is not None:
        query = query.where(among(ReviewTask.reviewer_id, reviewers))
    rows = session.execute(query.order_by(ReviewTask.reviewer_id, ReviewTask.employee_id))
    return [
        Pending(row.review_id, row.employee_id, row.reviewer_id, row.kind, row.due_on)
        for row in rows
        if row.reviewer_id is not None
    ]


@dataclass(frozen=True)
class Named:
    name: str
    status: str


def named(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Named]:
    """Names and statuses of these employees, as the people projection knows them."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            EmployeeProjection.employee_id, EmployeeProjection.name, EmployeeProjection.status
        ).where(among(EmployeeProjection.employee_id, ids))
    )
    return {row.employee_id: Named(row.name, row.status) for row in rows}


def behind(session: Session, cycle_id: uuid.UUID, phase: str) -> list[uuid.UUID]:
    """The reviewers who are behind in `phase` of the cycle (performance's `whoIsBehind`:
    reviews of the phase's kind still a draft; in sign_off, manager reviews not signed
    off), each once. `phase` must be one of TRACKED_PHASES."""
    return sorted({p.reviewer_id for p in pending(session, cycle_id, phase)})
