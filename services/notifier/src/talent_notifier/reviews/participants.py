"""Reads and writes of the cycle participants (synchronous sessions: the consumer's)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_notifier.reviews.models import CycleParticipant


def remember(session: Session, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Record (cycle id, employee id) pairs; a known pair is left as it is."""
    if not pairs:
        return
    session.execute(
        insert(CycleParticipant)
        .values([{"cycle_id": cycle, "employee_id": employee} for cycle, employee in pairs])
        .on_conflict_do_nothing(index_elements=["cycle_id", "employee_id"])
    )


def of_cycles(
    session: Session, cycle_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The employees reviewed in each cycle, by cycle id."""
    found: dict[uuid.UUID, list[uuid.UUID]] = {cycle: [] for cycle in cycle_ids}
    if not cycle_ids:
        return found
    rows = session.execute(
        select(CycleParticipant.cycle_id, CycleParticipant.employee_id)
        .where(CycleParticipant.cycle_id.in_(list(cycle_ids)))
        .order_by(CycleParticipant.cycle_id, CycleParticipant.employee_id)
    )
    for row in rows:
        found[row.cycle_id].append(row.employee_id)
    return found
