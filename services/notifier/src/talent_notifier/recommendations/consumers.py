"""The recommender's `recommendation.issued` becomes one notice per (manager, report,
batch) (notices.py says who and how they coalesce), in the inbox and by email as the
manager's RECOMMENDATIONS preferences allow, and to the webhooks that match.

The same events, the recommender's `recommendation.feedback` and learning's
`enrollment.assigned` / `enrollment.completed` also keep each employee's current course
recommendations (current.py), which the digests read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.learning import EnrollmentAssigned, EnrollmentCompleted
from talent_contracts.recommender import RecommendationFeedback, RecommendationIssued
from talent_notifier.notifications import ledger, outgoing
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.outgoing import Outgoing
from talent_notifier.recommendations import current
from talent_notifier.recommendations.models import RecommendationState
from talent_notifier.recommendations.notices import team_notices
from talent_notifier.webhooks.ledger import Notice
from talent_platform.events import HandlerRegistry
from talent_platform.events.handlers import BatchItem

KIND = NotificationKind.TEAM_RECOMMENDATIONS


def notify_managers(session: Session, items: Sequence[BatchItem]) -> None:
    events: list[RecommendationIssued] = []
    for payload, _ in items:
        if not isinstance(payload, RecommendationIssued):
            raise TypeError(f"not a recommendation: {type(payload).__name__}")
        events.append(payload)
    people = ledger.people_by_id(session, {event.employee_id for event in events})
    managers = {p.manager_id for p in people.values() if p.manager_id is not None}
    people |= ledger.people_by_id(session, managers - set(people))
    notices = team_notices(events, people)
    outgoing.record(
        session,
        [
            Outgoing(n.source_id, KIND, n.manager_id, Audience.MANAGER, n.employee_id, n.data())
            for n in notices
        ],
        notices=[Notice(n.source_id, KIND, n.employee_id, n.data()) for n in notices],
        now=dt.datetime.now(dt.UTC),
    )


FEEDBACK_STATE = {
    "accepted": RecommendationState.ACCEPTED,
    "dismissed": RecommendationState.DISMISSED,
}
KEEPS = (RecommendationIssued, RecommendationFeedback, EnrollmentAssigned, EnrollmentCompleted)


def remember_recommendations(session: Session, items: Sequence[BatchItem]) -> None:
    """Keep the employees' current course recommendations (current.py): the batch's new
    ones first, then what closes them. One handler, registered `independent` (it alone
    touches the table): the notices' and learning's own handlers keep their runs whole,
    and an issue and its feedback in one batch are applied in that order."""
    issued: list[RecommendationIssued] = []
    by_id: dict[uuid.UUID, RecommendationState] = {}
    courses: set[tuple[uuid.UUID, str]] = set()
    for payload, _ in items:
        if isinstance(payload, RecommendationIssued):
            issued.append(payload)
        elif isinstance(payload, RecommendationFeedback):
            by_id.setdefault(payload.recommendation_id, FEEDBACK_STATE[payload.kind])
        elif isinstance(payload, EnrollmentAssigned | EnrollmentCompleted):
            courses.add((payload.employee_id, payload.course_code))
        else:
            raise TypeError(f"not a recommendation or enrollment: {type(payload).__name__}")
    current.remember(session, issued)
    current.close(session, by_id=by_id, courses=courses)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(RecommendationIssued)(notify_managers)
    registry.on_batch(*KEEPS, independent=True)(remember_recommendations)
