"""What every dismissal shares, of a course or of a successor suggestion: a validated
reason, and one recommendation.feedback event."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.recommender import RecommendationFeedback
from talent_platform.errors import FieldError, ValidationFailed
from talent_recommender.db import outbox

MAX_REASON = 2000


def dismissal_reason(reason: str) -> str:
    """The reason without surrounding blanks; it must say something, in at most
    MAX_REASON characters."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed([FieldError("input.reason", "say why it is dismissed")])
    if len(reason) > MAX_REASON:
        raise ValidationFailed([FieldError("input.reason", f"at most {MAX_REASON} characters")])
    return reason


async def publish_dismissal(
    session: AsyncSession,
    *,
    feedback_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    employee_id: uuid.UUID,
    reason: str,
    by: str,
    at: dt.datetime | None,
    course_code: str | None = None,
    key_role_id: uuid.UUID | None = None,
) -> None:
    await session.run_sync(
        outbox.add,
        RecommendationFeedback(
            feedback_id=feedback_id,
            kind="dismissed",
            recommendation_id=recommendation_id,
            employee_id=employee_id,
            course_code=course_code,
            key_role_id=key_role_id,
            reason=reason,
            by=by,
            at=at or dt.datetime.now(dt.UTC),
        ),
    )
