"""Accepting a recommendation: an enrollment assigned from a course recommendation, or a
nomination from a successor suggestion (applied by the ingest consumers of learning and
succession), marks it accepted once and publishes the feedback."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session

from talent_contracts.recommender import RecommendationFeedback
from talent_recommender.db import outbox
from talent_recommender.recommendations.models import IssuedRecommendation

log = logging.getLogger(__name__)


def record_acceptance(
    session: Session,
    rid: uuid.UUID | None,
    *,
    kind: str,
    employee_id: uuid.UUID,
    via: str,
    source_id: uuid.UUID,
    at: dt.datetime,
    course_code: str | None = None,
    key_role_id: uuid.UUID | None = None,
) -> None:
    """Mark the issued recommendation `rid` accepted (once) and publish
    recommendation.feedback, if this recommender issued it for this very employee and
    course or key role; `source_id` is the enrollment or nomination that accepted it."""
    what = (
        IssuedRecommendation.course_code == course_code
        if kind == "course"
        else IssuedRecommendation.key_role_id == key_role_id
    )
    accepted = session.execute(
        update(IssuedRecommendation)
        .where(
            IssuedRecommendation.recommendation_id == rid,
            IssuedRecommendation.accepted_at.is_(None),
            IssuedRecommendation.kind == kind,
            IssuedRecommendation.employee_id == employee_id,
            what,
        )
        .values(accepted_at=at, accepted_via=via)
        .returning(IssuedRecommendation.recommendation_id)
    ).first()
    if accepted is None or rid is None:
        # Already accepted (a replay), or an id this recommender never issued for this
        # employee and course or key role: nothing to learn from.
        log.info("%s %s: recommendation %s not accepted", via, source_id, rid)
        return
    by = {"enrollment": "learning", "nomination": "succession"}[via]
    outbox.add(
        session,
        RecommendationFeedback(
            feedback_id=uuid.uuid5(rid, f"accepted/{source_id}"),
            kind="accepted",
            recommendation_id=rid,
            employee_id=employee_id,
            course_code=course_code,
            key_role_id=key_role_id,
            reason=None,
            by=by,
            at=at,
            enrollment_id=source_id if via == "enrollment" else None,
        ),
    )
