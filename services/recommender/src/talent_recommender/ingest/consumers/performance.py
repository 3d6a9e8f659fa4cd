"""Performance's events: competency assessments and calibrated ratings (with the
summary of each employee's recent ratings)."""

from __future__ import annotations

import uuid

from sqlalchemy import Double, cast, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_recommender.ingest.consumers.runs import (
    Items,
    handles,
    upsert,
)
from talent_recommender.ingest.models import (
    Assessment,
    PerformanceSummary,
    Rating,
)
from talent_recommender.profiles.estimates import mark_stale


@handles(CompetencyAssessed, independent=True)
def on_assessments(session: Session, items: Items) -> None:
    rows = [
        {
            "assessment_id": payload.assessment_id,
            "employee_id": payload.employee_id,
            "competency_code": payload.competency_code,
            "level": payload.level,
            "source": payload.source,
            "assessed_on": payload.assessed_on,
        }
        for payload, _ in items
    ]
    upsert(
        session,
        Assessment,
        rows,
        key=["assessment_id"],
        update=["level", "source", "assessed_on"],
    )
    mark_stale(session, {row["employee_id"] for row in rows})


@handles(RatingCalibrated, independent=True)
def on_ratings(session: Session, items: Items) -> None:
    rows = [
        {
            "employee_id": payload.employee_id,
            "cycle_code": payload.cycle_code,
            "overall_rating": payload.overall_rating,
            "rated_on": payload.rated_on,
        }
        for payload, _ in items
    ]
    upsert(
        session,
        Rating,
        rows,
        key=["employee_id", "cycle_code"],
        update=["overall_rating", "rated_on"],
    )
    summarise_performance(session, {row["employee_id"] for row in rows})


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
