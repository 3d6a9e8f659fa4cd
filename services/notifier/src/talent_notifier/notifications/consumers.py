"""Learning's events become notifications: per recipient (recipients.py) one in-app row,
in the inbox at once, and one email row, PENDING until the worker's delivery job sends
it. The recipient's preferences decide per channel (preferences/rules.py): OFF writes no
row, DAILY or WEEKLY holds the email as DIGEST, and a mandatory compliance notice goes
out at once whatever they chose. Set-based per batch: a few reads and one insert that
skips what a redelivered event already recorded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from talent_contracts.learning import CertificationExpiring, EnrollmentAssigned
from talent_notifier.notifications import ledger
from talent_notifier.notifications.categories import category_of
from talent_notifier.notifications.models import Channel, DeliveryStatus
from talent_notifier.notifications.recipients import (
    LEARNING_NOTICES,
    LearningNotice,
    kind_of,
    manager_of,
    message_data,
    recipients,
)
from talent_notifier.preferences import settings as preferences
from talent_notifier.preferences.models import Frequency
from talent_notifier.preferences.rules import COMPLIANCE_REASON, is_mandatory
from talent_notifier.webhooks.ledger import Notice, webhook_deliveries
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
    settings = preferences.settings_of(
        session, {r.employee_id for _, _, found in told for r in found}
    )
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for event, envelope, found in told:
        kind = kind_of(event)
        mandatory = is_mandatory(
            kind, compliance=getattr(event, "enrollment_id", None) in compliance
        )
        for recipient in found:
            for channel in (Channel.IN_APP, Channel.EMAIL):
                frequency = (
                    Frequency.IMMEDIATELY
                    if mandatory
                    else settings.frequency(recipient.employee_id, category_of(kind), channel)
                )
                if frequency is Frequency.OFF:
                    continue
                in_app = channel is Channel.IN_APP
                held = not in_app and frequency in (Frequency.DAILY, Frequency.WEEKLY)
                if in_app:
                    status = DeliveryStatus.SENT
                elif held:
                    status = DeliveryStatus.DIGEST
                else:
                    status = DeliveryStatus.PENDING
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "source_event_id": source_event_id(envelope),
                        "recipient_id": recipient.employee_id,
                        "channel": channel.value,
                        "kind": kind.value,
                        "audience": recipient.audience.value,
                        "subject_employee_id": event.employee_id,
                        "data": message_data(event),
                        "status": status.value,
                        "attempts": 1 if in_app else 0,
                        "sent_at": now if in_app else None,
                        "next_attempt_at": now if status is DeliveryStatus.PENDING else None,
                        "digest": frequency.value if held else None,
                    }
                )
    # The webhooks a notification matches get it too (once per event and webhook).
    notices = [
        Notice(source_event_id(envelope), kind_of(event), event.employee_id, message_data(event))
        for event, envelope in events
        if recipients(event, people)
    ]
    rows.extend(webhook_deliveries(session, notices, now=now))
    ledger.record(session, rows)


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*LEARNING_NOTICES)(notify)
