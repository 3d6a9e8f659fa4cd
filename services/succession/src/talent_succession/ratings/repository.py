from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
