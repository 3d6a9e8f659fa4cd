"""Calibrated ratings from the performance service: the 9-box performance axis.

One row per employee and cycle, a later calibration of the same cycle replacing it
(`ratings.repository.record_ratings`). The placements of the batch's employees are
refreshed once, at the end of the batch, in one sorted lock order (see
`ninebox.placements`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.performance import RatingCalibrated
from talent_platform.events import BatchItem, HandlerRegistry
from talent_succession.ninebox.placements import refresh_placements
from talent_succession.ratings import repository

_STALE = "succession.placements_stale"


def record_ratings(session: Session, items: Sequence[BatchItem]) -> None:
    rows: list[dict[str, object]] = []
    stale: set[uuid.UUID] = session.info.setdefault(_STALE, set())
    for payload, envelope in items:
        if not isinstance(payload, RatingCalibrated):
            raise TypeError(f"not a calibrated rating: {type(payload).__name__}")
        rows.append(
            {
                "employee_id": payload.employee_id,
                "cycle_code": payload.cycle_code,
                "overall_rating": payload.overall_rating,
                "rated_on": payload.rated_on,
                "updated_at": envelope.time,
            }
        )
        stale.add(payload.employee_id)
    repository.record_ratings(session, rows)


def refresh_stale_placements(session: Session) -> None:
    """End of batch: refresh the placements of every employee rated in it, once."""
    stale: set[uuid.UUID] = session.info.pop(_STALE, set())
    if stale:
        refresh_placements(session, stale)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(RatingCalibrated)(record_ratings)
    registry.after_batch(refresh_stale_placements)
