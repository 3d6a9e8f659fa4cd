"""Performance's projections, beyond the generic upsert: the summary of each employee's
recent calibrated ratings."""

from __future__ import annotations

import uuid

from sqlalchemy import Double, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_recommender.ingest.models import PerformanceSummary, Rating


def summarise_performance(session: Session, employee_ids: set[uuid.UUID]) -> None:
    """The mean of each employee's two most recent calibrated ratings (as
    successors.scoring.performance reads them: latest rated_on, then cycle, first)."""
    recent = (
        select(
            Rating.employee_id,
            Rating.overall_rating,
            func.row_number()
            .over(
                partition_by=Rating.employee_id,
                order_by=(Rating.rated_on.desc(), Rating.cycle_code.desc()),
            )
            .label("n"),
        )
        .where(Rating.employee_id.in_(employee_ids))
        .subquery("recent")
    )
    summary = (
        select(
            recent.c.employee_id,
            cast(func.avg(recent.c.overall_rating), Double),
            func.count(),
        )
        .where(recent.c.n <= 2)
        .group_by(recent.c.employee_id)
    )
    statement = insert(PerformanceSummary).from_select(
        ["employee_id", "recent_mean", "ratings"], summary
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[PerformanceSummary.employee_id],
            set_={
                "recent_mean": statement.excluded.recent_mean,
                "ratings": statement.excluded.ratings,
            },
        )
    )
