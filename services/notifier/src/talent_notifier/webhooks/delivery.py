"""The worker's webhook delivery job: POST PENDING webhook rows, signed.

Like email, never inside the consumer's transaction: the consumer records the rows, and
this periodic job (`webhook_delivery_interval_s`) picks the due ones with `FOR UPDATE
SKIP LOCKED`, one transaction per batch. Each request is on its own: one receiver that is
down or slow (at most `webhook_timeout_s`) does not hold back the others.

What an answer means: 2xx delivered (SENT); 4xx other than 408 and 429 a refusal that a
retry will not change (FAILED at once); anything else (3xx: redirects are never followed;
408, 429, 5xx, a timeout, a refused connection) counts as an attempt and waits
(exponential backoff) until `webhook_max_attempts`, then FAILED, which admins see in
`notificationDeliveries(channel: WEBHOOK, status: FAILED)` with the last error.

At least once: the marks of a batch commit after its requests were answered, so a
receiver may see a request again; `webhook-id` stays the same for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from talent_contracts.notifier import FailureClass
from talent_notifier.config import NotifierSettings
from talent_notifier.notifications import ledger
from talent_notifier.notifications.email import DeliveryRun, drain
from talent_notifier.webhooks.ledger import DueWebhook, due_webhooks
from talent_notifier.webhooks.payload import body_of, message_id
from talent_notifier.webhooks.signing import signed_headers
from talent_platform.periodic import PeriodicJob

log = logging.getLogger(__name__)

RETRIED_CLIENT_ERRORS = frozenset({408, 429})
USER_AGENT = "talent-notifier-webhooks"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry: bool
    error: str | None = None


def outcome_of(response: httpx.Response) -> Outcome:
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(delivered=True, retry=False)
    error = f"HTTP {status} {response.reason_phrase}".strip()
    if 300 <= status < 400:
        return Outcome(False, True, f"{error}: redirects are not followed, update the URL")
    if 400 <= status < 500 and status not in RETRIED_CLIENT_ERRORS:
        return Outcome(False, False, error)
    return Outcome(False, True, error)


def new_client(settings: NotifierSettings) -> httpx.Client:
    return httpx.Client(
        timeout=settings.webhook_timeout_s,
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
    )


def deliver_webhooks(
    session: Session,
    settings: NotifierSettings,
    *,
    client: httpx.Client | None = None,
    now: dt.datetime | None = None,
    clock: Callable[[], float] = time.time,
) -> DeliveryRun:
    """One batch. `now` decides what is due and when to retry; `clock` gives the
    `webhook-timestamp` of each request (the moment it is sent)."""
    now = now or dt.datetime.now(dt.UTC)
    run = DeliveryRun()
    due = due_webhooks(session, now=now, limit=settings.webhook_batch_size)
    if not due:
        return run

    def failed(item: DueWebhook, error: str, error_class: FailureClass, *, retry: bool) -> None:
        when = (
            ledger.retry_at(
                item.delivery.attempts + 1,
                now=now,
                max_attempts=settings.webhook_max_attempts,
                base_s=settings.webhook_retry_base_s,
                max_s=settings.webhook_retry_max_s,
            )
            if retry
            else None
        )
        ledger.mark_attempt_failed(
            session,
            item.delivery.id,
            error=error,
            error_class=error_class,
            retry_at=when,
            now=now,
        )
        if when is None:
            run.failed += 1
        else:
            run.retried += 1

    own_client = client is None
    http = client or new_client(settings)
    try:
        for item in due:
            webhook = item.webhook
            if webhook is None or webhook.deleted_at is not None:
                failed(item, "the webhook was deleted", "webhook_deleted", retry=False)
                continue
            body = body_of(item.delivery, about_name=item.about_name)
            headers = signed_headers(
                webhook.secret,
                message_id=message_id(item.delivery.id),
                timestamp=int(clock()),
                body=body,
            )
            try:
                response = http.post(webhook.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                failed(
                    item, f"{type(exc).__name__}: {exc}"[:500], "webhook_unavailable", retry=True
                )
                continue
            outcome = outcome_of(response)
            if outcome.delivered:
                ledger.mark_sent(session, item.delivery.id, now=now)
                run.sent += 1
            else:
                failed(
                    item,
                    outcome.error or "",
                    "webhook_unavailable" if outcome.retry else "webhook_rejected",
                    retry=outcome.retry,
                )
    finally:
        if own_client:
            http.close()
    return run


def webhook_delivery(settings: NotifierSettings) -> PeriodicJob:
    """The worker's job: batch after batch, each its own transaction, until a batch
    comes back short (or `webhook_max_batches_per_run`). Not `in_transaction`: replicas
    may run it together, as `FOR UPDATE SKIP LOCKED` gives each its own rows."""

    def run(engine: Engine) -> None:
        with new_client(settings) as client:
            total = drain(
                engine,
                lambda session: deliver_webhooks(session, settings, client=client),
                batch_size=settings.webhook_batch_size,
                max_batches=settings.webhook_max_batches_per_run,
            )
        if total.handled:
            log.info("webhook delivery", extra=total.__dict__)

    return PeriodicJob("webhook-delivery", settings.webhook_delivery_interval_s, run)
