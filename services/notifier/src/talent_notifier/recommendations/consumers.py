"""The recommender's `recommendation.issued` becomes one notice per (manager, report,
batch) (notices.py says who and how they coalesce), in the inbox and by email as the
manager's RECOMMENDATIONS preferences allow, and to the webhooks that match."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.recommender import RecommendationIssued
from talent_notifier.notifications import ledger, outgoing
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.outgoing import Outgoing
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


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(RecommendationIssued)(notify_managers)
