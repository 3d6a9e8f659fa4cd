"""Calibrated ratings from the performance service: the 9-box performance axis.

One row per employee and cycle; a later calibration of the same cycle replaces it
(the `updated_at` guard keeps a stale re-delivery from undoing a newer one).
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.performance import RatingCalibrated
from talent_platform.events import Envelope, HandlerRegistry
from talent_succession.ninebox.placements import refresh_statements
from talent_succession.ratings.models import CalibratedRating


def record_rating(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    if not isinstance(payload, RatingCalibrated):
        raise TypeError(f"not a calibrated rating: {type(payload).__name__}")
    values = {
        "employee_id": payload.employee_id,
        "cycle_code": payload.cycle_code,
        "overall_rating": payload.overall_rating,
        "rated_on": payload.rated_on,
        "updated_at": envelope.time,
    }
    statement = insert(CalibratedRating).values(values)
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
    for refresh in refresh_statements([payload.employee_id]):
        session.execute(refresh)


def register(registry: HandlerRegistry) -> None:
    registry.on(RatingCalibrated)(record_rating)
