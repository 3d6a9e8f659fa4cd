"""Each employee's course recommendations as the notifier has heard of them, for the
digests (a manager's weekly digest names each report's top development action, an
employee's weekly digest their new recommendations). Kept from the recommender's
`recommendation.issued` and `recommendation.feedback` and learning's enrollment events;
a row is never deleted, its `state` says whether it is still current (so a replayed
event finds it and changes nothing)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import DateTime, Float, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talent_notifier.db import Base


class RecommendationState(StrEnum):
    CURRENT = "current"
    """Still a development action to take."""
    ACCEPTED = "accepted"
    """Accepted (`recommendation.feedback` kind accepted)."""
    DISMISSED = "dismissed"
    """Dismissed by the employee or a manager (`recommendation.feedback`)."""
    ENROLLED = "enrolled"
    """The employee was assigned the course (with or without this recommendation's id)
    or completed it (learning's `enrollment.assigned` / `enrollment.completed`)."""
    SUPERSEDED = "superseded"
    """The recommender issued the employee recommendations of a newer model version."""


class CourseRecommendation(Base):
    __tablename__ = "course_recommendation"
    __table_args__ = (
        # An employee's current recommendations (the digests' read).
        Index(
            "ix_course_recommendation_current",
            "employee_id",
            "score",
            postgresql_where=text("state = 'current'"),
        ),
    )

    recommendation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """As served by the recommender: what `assignCourse(..., recommendationId)` takes."""
    employee_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_code: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSONB)
    """The recommender's reasons, as it wrote them (shown to the manager and employee)."""
    model_version: Mapped[int | None] = mapped_column(Integer)
    """The model version that issued it (null: issued without a fitted model)."""
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(20))
    """A RecommendationState."""
    state_changed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
