"""Events published by the notifier service on `talent.notifier.v1`: what became of a
notification sent by email or to a webhook (the in-app inbox publishes nothing: a row
there is delivered when it is made).

Both are keyed by `delivery_id` (one ledger row's facts stay in order) and carry no
address, no message text and no error text: `error_class` names the kind of failure.
"""

from __future__ import annotations

import uuid
from typing import Literal

from talent_contracts.base import EventPayload, event

DeliveryChannel = Literal["email", "webhook"]
FailureClass = Literal[
    "recipient_unknown",
    "recipient_terminated",
    "smtp_refused",
    "smtp_unavailable",
    "webhook_deleted",
    "webhook_rejected",
    "webhook_unavailable",
]
"""Why a delivery failed for good: the recipient is not known to the notifier or no
longer employed; the SMTP server refused the message or could not be reached through
every attempt; the webhook was deleted, answered a 4xx that a retry would not change,
or could not be reached (timeouts, 3xx, 408, 429, 5xx) through every attempt."""


@event("talent.notifier.notification.sent.v1", key_field="delivery_id")
class NotificationSent(EventPayload):
    """An email was accepted by the SMTP server, or a webhook answered 2xx."""

    delivery_id: uuid.UUID
    source_event_id: uuid.UUID
    """The `ce_id` of the event the notification came from (for a digest or a coalesced
    notice, the id the notifier derived for it)."""
    kind: str
    """The notification kind, lower case (`enrollment_overdue`, `key_role_uncovered`,
    `digest`, ...)."""
    channel: DeliveryChannel
    recipient_employee_id: uuid.UUID | None
    """For email: the employee written to."""
    webhook_id: uuid.UUID | None
    """For a webhook: the webhook."""
    attempts: int


@event("talent.notifier.notification.failed.v1", key_field="delivery_id")
class NotificationFailed(EventPayload):
    """A delivery was given up: after its last attempt, or at once when no attempt could
    succeed (see `FailureClass`)."""

    delivery_id: uuid.UUID
    source_event_id: uuid.UUID
    kind: str
    channel: DeliveryChannel
    recipient_employee_id: uuid.UUID | None
    webhook_id: uuid.UUID | None
    attempts: int
    error_class: FailureClass
