"""Reads and writes of the employees' course recommendations (models.py), on the
consumer's and the digest job's sync sessions. Set-based: one statement per batch.

- `remember`: a course recommendation issued (successor suggestions are HR's and are
  not kept); a known id is left as it is, so a replay changes nothing.
- Superseded: once an employee has a recommendation of model version v, their current
  ones of older versions (or of none) are SUPERSEDED. The recommender issues an id once
  (its first serving), so a newer model's batch holds only what it recommends anew; the
  notifier cannot tell which older ones the newer model still serves, and keeps only the
  newest batch (what it shows is then something the current model recommends).
- Closed: accepted or dismissed (`recommendation.feedback`), or the course assigned to
  or completed by the employee (learning's events, whatever recommendation id they
  carry) is no longer a development action to take.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.orm import Session

from talent_contracts.recommender import RecommendationIssued
from talent_notifier.db import among
from talent_notifier.recommendations.models import CourseRecommendation, RecommendationState

NO_VERSION = -1
"""How a recommendation without a model version compares: older than any version."""


def _version(column: object) -> object:
    return func.coalesce(column, NO_VERSION)


def remember(session: Session, events: Sequence[RecommendationIssued]) -> None:
    rows = {
        event.recommendation_id: {
            "recommendation_id": event.recommendation_id,
            "employee_id": event.employee_id,
            "course_code": event.course_code,
            "score": event.score,
            "reasons": list(event.reasons),
            "model_version": event.model_version,
            "issued_at": event.issued_at,
            "state": RecommendationState.CURRENT.value,
        }
        for event in events
        if event.kind == "course" and event.course_code is not None
    }
    if not rows:
        return
    session.execute(
        insert(CourseRecommendation)
        .values(list(rows.values()))
        .on_conflict_do_nothing(index_elements=["recommendation_id"])
    )
    supersede(session, {e.employee_id for e in events if e.recommendation_id in rows})


def supersede(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """Mark SUPERSEDED the current recommendations of `employee_ids` older than their
    newest model version."""
    newest = (
        select(
            CourseRecommendation.employee_id,
            func.max(_version(CourseRecommendation.model_version)).label("version"),
        )
        .where(among(CourseRecommendation.employee_id, employee_ids))
        .group_by(CourseRecommendation.employee_id)
        .subquery()
    )
    session.execute(
        update(CourseRecommendation)
        .where(
            CourseRecommendation.employee_id == newest.c.employee_id,
            CourseRecommendation.state == RecommendationState.CURRENT.value,
            _version(CourseRecommendation.model_version) < newest.c.version,
        )
        .values(state=RecommendationState.SUPERSEDED.value, state_changed_at=func.now())
        .execution_options(synchronize_session=False)
    )


def close(
    session: Session,
    *,
    by_id: dict[uuid.UUID, RecommendationState] | None = None,
    courses: Collection[tuple[uuid.UUID, str]] = (),
) -> None:
    """Close current recommendations: those of `by_id` with the given state, and any of
    the (employee id, course code) pairs of `courses` as ENROLLED."""
    for state in set((by_id or {}).values()):
        ids = [rid for rid, s in (by_id or {}).items() if s is state]
        session.execute(
            update(CourseRecommendation)
            .where(
                CourseRecommendation.recommendation_id.in_(ids),
                CourseRecommendation.state == RecommendationState.CURRENT.value,
            )
            .values(state=state.value, state_changed_at=func.now())
            .execution_options(synchronize_session=False)
        )
    if courses:
        session.execute(
            update(CourseRecommendation)
            .where(
                tuple_(CourseRecommendation.employee_id, CourseRecommendation.course_code).in_(
                    list(courses)
                ),
                CourseRecommendation.state == RecommendationState.CURRENT.value,
            )
            .values(state=RecommendationState.ENROLLED.value, state_changed_at=func.now())
            .execution_options(synchronize_session=False)
        )


def top_actions(
    session: Session, employee_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, CourseRecommendation]:
    """Each employee's current recommendation with the highest score (ties: the newest,
    then by id), for those who have one."""
    if not employee_ids:
        return {}
    rows = session.scalars(
        select(CourseRecommendation)
        .where(
            among(CourseRecommendation.employee_id, employee_ids),
            CourseRecommendation.state == RecommendationState.CURRENT.value,
        )
        .order_by(
            CourseRecommendation.employee_id,
            CourseRecommendation.score.desc(),
            CourseRecommendation.issued_at.desc(),
            CourseRecommendation.recommendation_id,
        )
        .ext(distinct_on(CourseRecommendation.employee_id))
    )
    return {row.employee_id: row for row in rows}


def issued_between(
    session: Session,
    employee_ids: Collection[uuid.UUID] | None,
    *,
    since: dt.datetime,
    until: dt.datetime,
) -> dict[uuid.UUID, list[CourseRecommendation]]:
    """The recommendations issued in [since, until) that are still current, by employee
    (`employee_ids`, or None: everyone's), best first."""
    statement = select(CourseRecommendation).where(
        CourseRecommendation.state == RecommendationState.CURRENT.value,
        CourseRecommendation.issued_at >= since,
        CourseRecommendation.issued_at < until,
    )
    if employee_ids is not None:
        statement = statement.where(among(CourseRecommendation.employee_id, employee_ids))
    found: dict[uuid.UUID, list[CourseRecommendation]] = {}
    for row in session.scalars(
        statement.order_by(
            CourseRecommendation.employee_id,
            CourseRecommendation.score.desc(),
            CourseRecommendation.recommendation_id,
        )
    ):
        found.setdefault(row.employee_id, []).append(row)
    return found
