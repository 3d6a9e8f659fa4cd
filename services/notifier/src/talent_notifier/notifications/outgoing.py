"""Recording notifications decided elsewhere: given who hears what (one `Outgoing` per
recipient), write the ledger rows each recipient's preferences allow (in-app SENT,
email PENDING or held as DIGEST, nothing for OFF) and the rows of the webhooks each
notice matches. Used by the notices of every service's events (learning's, reviews,
recommendations), so preferences and webhooks apply to all of them by category."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from talent_notifier.notifications import ledger
from talent_notifier.notifications.categories import category_of
from talent_notifier.notifications.models import (
    Audience,
    Channel,
    DeliveryStatus,
    NotificationKind,
)
from talent_notifier.preferences import settings as preferences
from talent_notifier.preferences.models import Frequency
from talent_notifier.webhooks.ledger import Notice, webhook_deliveries


@dataclass(frozen=True)
class Outgoing:
    """One recipient hears about one event."""

    source_event_id: uuid.UUID
    kind: NotificationKind
    recipient_id: uuid.UUID
    audience: Audience
    subject_employee_id: uuid.UUID
    """The employee the notification is about (named in its text)."""
    data: dict[str, Any]
    mandatory: bool = False
    """A mandatory compliance notice: sent at once on both channels whatever the
    recipient chose."""


def record(
    session: Session,
    outgoing: Sequence[Outgoing],
    *,
    notices: Sequence[Notice],
    now: dt.datetime,
) -> int:
    """Write the ledger rows of `outgoing` (by preferences) and of the webhooks `notices`
    match; what a redelivered event already recorded is left alone. Returns how many rows
    were new."""
    settings = preferences.settings_of(session, {o.recipient_id for o in outgoing})
    rows: list[dict[str, Any]] = []
    for item in outgoing:
        category = category_of(item.kind)
        for channel in (Channel.IN_APP, Channel.EMAIL):
            frequency = (
                Frequency.IMMEDIATELY
                if item.mandatory
                else settings.frequency(item.recipient_id, category, channel)
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
                    "source_event_id": item.source_event_id,
                    "recipient_id": item.recipient_id,
                    "channel": channel.value,
                    "kind": item.kind.value,
                    "audience": item.audience.value,
                    "subject_employee_id": item.subject_employee_id,
                    "data": item.data,
                    "status": status.value,
                    "attempts": 1 if in_app else 0,
                    "sent_at": now if in_app else None,
                    "next_attempt_at": now if status is DeliveryStatus.PENDING else None,
                    "digest": frequency.value if held else None,
                }
            )
    rows.extend(webhook_deliveries(session, notices, now=now))
    return ledger.record(session, rows)
