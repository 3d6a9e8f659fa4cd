"""Keeping `current_placement` in step with the rating and potential history.

`refresh_statements(employee_ids)` recomputes the named employees' rows from the history
(the latest rating, the latest assessment): two upserts, run by the async services and
the sync consumers alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ARRAY, Uuid, any_, bindparam, select
from sqlalchemy.dialects.postgresql import Insert, distinct_on, insert

from talent_succession.ninebox.models import CurrentPlacement
from talent_succession.potential.models import PotentialAssessment
from talent_succession.ratings.models import CalibratedRating


def refresh_statements(employee_ids: Collection[uuid.UUID]) -> list[Insert]:
    ids = bindparam("employee_ids", list(employee_ids), type_=ARRAY(Uuid()))
    latest_rating = (
        select(
            CalibratedRating.employee_id, CalibratedRating.overall_rating, CalibratedRating.rated_on
        )
        .where(CalibratedRating.employee_id == any_(ids))
        .ext(distinct_on(CalibratedRating.employee_id))
        .order_by(CalibratedRating.employee_id, CalibratedRating.rated_on.desc())
    )
    latest_potential = (
        select(
            PotentialAssessment.employee_id,
            PotentialAssessment.potential,
            PotentialAssessment.assessed_on,
        )
        .where(PotentialAssessment.employee_id == any_(ids))
        .ext(distinct_on(PotentialAssessment.employee_id))
        .order_by(
            PotentialAssessment.employee_id,
            PotentialAssessment.assessed_on.desc(),
            PotentialAssessment.created_at.desc(),
        )
    )
    ratings = insert(CurrentPlacement).from_select(
        ["employee_id", "overall_rating", "rated_on"], latest_rating
    )
    potentials = insert(CurrentPlacement).from_select(
        ["employee_id", "potential", "potential_assessed_on"], latest_potential
    )
    return [
        ratings.on_conflict_do_update(
            index_elements=[CurrentPlacement.employee_id],
            set_={
                "overall_rating": ratings.excluded.overall_rating,
                "rated_on": ratings.excluded.rated_on,
            },
        ),
        potentials.on_conflict_do_update(
            index_elements=[CurrentPlacement.employee_id],
            set_={
                "potential": potentials.excluded.potential,
                "potential_assessed_on": potentials.excluded.potential_assessed_on,
            },
        ),
    ]
