"""Performance's events: competency assessments and calibrated ratings (with the
summary of each employee's recent ratings)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_recommender.ingest.consumers.runs import Items, handles
from talent_recommender.ingest.models import Assessment, Rating
from talent_recommender.ingest.store import upsert
from talent_recommender.ingest.store.performance import summarise_performance
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
