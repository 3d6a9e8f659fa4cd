"""Calibrated ratings: one row per employee and cycle, read by the API and written by
the consumer of performance's calibrations."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_platform.events import in_waves
from talent_succession.ratings.models import CalibratedRating


async def ratings_of(
    session: AsyncSession, employee_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[CalibratedRating]]:
    """Each employee's calibrated ratings, newest first (one query); the caller checked
    that the principal may see them."""
    rows = await session.scalars(
        select(CalibratedRating)
        .where(CalibratedRating.employee_id.in_(employee_ids))
        .order_by(CalibratedRating.employee_id, CalibratedRating.rated_on.desc())
    )
    grouped: dict[uuid.UUID, list[CalibratedRating]] = defaultdict(list)
    for row in rows:
        grouped[row.employee_id].append(row)
    return grouped


def record_ratings(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """Upsert ratings (employee_id, cycle_code, overall_rating, rated_on, updated_at), one
    statement per wave of distinct (employee, cycle). A later calibration of a cycle
    replaces the row; the `updated_at` guard keeps a stale re-delivery from undoing a
    newer one."""
    for wave in in_waves(rows, lambda row: (row["employee_id"], row["cycle_code"])):
        statement = insert(CalibratedRating).values(wave)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[CalibratedRating.employee_id, CalibratedRating.cycle_code],
                set_={
                    name: statement.excluded[name]
                    for name in ("overall_rating", "rated_on", "updated_at")
                },
                where=CalibratedRating.updated_at <= statement.excluded.updated_at,
            )
        )
