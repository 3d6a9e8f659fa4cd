"""Learning's events become notifications: per recipient (recipients.py) one in-app row,
in the inbox at once, and one email row, PENDING until the worker's delivery job sends
it. The recipient's preferences decide per channel (preferences/rules.py): OFF writes no
row, DAILY or WEEKLY holds the email as DIGEST, and a mandatory compliance notice goes
out at once whatever they chose (the rows are written by notifications/outgoing.py, as for
every service's notices). Set-based per batch: a few reads and one insert that skips what
a redelivered event already recorded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.learning import CertificationExpiring, EnrollmentAssigned
from talent_notifier.notifications import ledger, outgoing
from talent_notifier.notifications.outgoing import Outgoing
from talent_notifier.notifications.recipients import (
    LEARNING_NOTICES,
    LearningNotice,
    kind_of,
    manager_of,
    message_data,
    recipients,
)
from talent_notifier.preferences import settings as preferences
from talent_notifier.preferences.rules import COMPLIANCE_REASON, is_mandatory
from talent_notifier.reviews.tasks import named
from talent_notifier.webhooks.ledger import Notice
from talent_platform.events import Envelope, HandlerRegistry
from talent_platform.events.handlers import BatchItem

NOTIFICATION_NAMESPACE = uuid.UUID("5f0c8f0e-2f3b-4b8e-9a57-8d1f6f1c2a10")


def source_event_id(envelope: Envelope) -> uuid.UUID:
    """The event's `ce_id` (a UUID by the envelope contract; anything else is hashed)."""
    try:
        return uuid.UUID(envelope.id)
    except ValueError:
        return uuid.uuid5(NOTIFICATION_NAMESPACE, envelope.id)


def notify(session: Session, items: Sequence[BatchItem]) -> None:
    events: list[tuple[LearningNotice, Envelope]] = []
    for payload, envelope in items:
        if not isinstance(payload, LEARNING_NOTICES):
            raise TypeError(f"not a learning notice: {type(payload).__name__}")
        events.append((payload, envelope))
    people = ledger.people_by_id(session, {event.employee_id for event, _ in events})
    managers = {manager_of(event, people) for event, _ in events} - {None} - set(people)
    people |= ledger.people_by_id(session, {m for m in managers if m is not None})
    preferences.remember_compliance(
        session,
        {
            event.enrollment_id
            for event, _ in events
            if isinstance(event, EnrollmentAssigned) and event.reason == COMPLIANCE_REASON
        },
    )
    compliance = preferences.compliance_enrollments(
        session,
        {e.enrollment_id for e, _ in events if not isinstance(e, CertificationExpiring)},
    )
    told = [(event, envelope, recipients(event, people)) for event, envelope in events]
    assigners = named(
        session,
        {
            e.assigned_by
            for e, _ in events
            if isinstance(e, EnrollmentAssigned)
            and e.assigned_by is not None
            and e.assigned_by != e.employee_id
        },
    )

    def data_of(event: LearningNotice) -> dict[str, str | None]:
        data = message_data(event)
        if isinstance(event, EnrollmentAssigned) and event.assigned_by in assigners:
            data["assigned_by_name"] = assigners[event.assigned_by].name
        return data

    now = dt.datetime.now(dt.UTC)
    sent = [
        Outgoing(
            source_event_id=source_event_id(envelope),
            kind=kind_of(event),
            recipient_id=recipient.employee_id,
            audience=recipient.audience,
            subject_employee_id=event.employee_id,
            data=data_of(event),
            mandatory=is_mandatory(
                kind_of(event), compliance=getattr(event, "enrollment_id", None) in compliance
            ),
        )
        for event, envelope, found in told
        for recipient in found
    ]
    # The webhooks a notification matches get it too (once per event and webhook).
    notices = [
        Notice(source_event_id(envelope), kind_of(event), event.employee_id, data_of(event))
        for event, envelope, found in told
        if found
    ]
    outgoing.record(session, sent, notices=notices, now=now)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*LEARNING_NOTICES)(notify)
