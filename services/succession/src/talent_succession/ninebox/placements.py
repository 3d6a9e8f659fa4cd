"""Keeping `current_placement` in step with the rating and potential history.

`refresh_placements(session, employee_ids)` recomputes the named employees' rows from the
history (the latest rating, the latest assessment): two upserts on a sync Session, called
directly by the consumer of calibrated ratings and through `run_sync` by the async
potential service and the import of assessments.

Refreshes run concurrently (an import of assessments, the consumer of calibrated ratings,
a single assessment) and each upsert locks its rows in whatever order the data gives, so
two refreshes of overlapping employees could each wait for the other. The first
statement takes transaction-level advisory locks on the employees' buckets (64 of them,
by a hash of the id; a bounded number, as PostgreSQL's lock table is shared and small),
in ascending order, so overlapping refreshes queue instead of deadlocking. A
transaction refreshes once (the consumer collects a batch's employees and refreshes them
at its end): refreshing twice would take locks in two orders again.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import ARRAY, Executable, TextClause, Uuid, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.orm import Session

from talent_succession.ninebox.models import CurrentPlacement
from talent_succession.potential.models import PotentialAssessment
from talent_succession.ratings.models import CalibratedRating

LOCK_CLASS = 7_001
"""First key of the advisory locks on placements (the second is the employee's bucket)."""
LOCK_BUCKETS = 64


def lock_statement(employee_ids: Collection[uuid.UUID]) -> TextClause:
    """Advisory locks on these employees' buckets, taken in ascending order (the sort runs
    before the lock function is called), held until the transaction ends."""
    return text(
        "SELECT pg_advisory_xact_lock(:lock_class, bucket) FROM ("
        " SELECT DISTINCT hashtext(id::text) & :mask AS bucket"
        " FROM unnest(:employee_ids) AS id"
        ") AS buckets ORDER BY bucket"
    ).bindparams(
        bindparam("lock_class", LOCK_CLASS),
        bindparam("mask", LOCK_BUCKETS - 1),
        bindparam("employee_ids", sorted(set(employee_ids)), type_=ARRAY(Uuid())),
    )


def refresh_placements(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """Lock the employees' buckets, then recompute their placements."""
    for statement in _refresh_statements(employee_ids):
        session.execute(statement)


def _refresh_statements(employee_ids: Collection[uuid.UUID]) -> list[Executable]:
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
        lock_statement(employee_ids),
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
