"""`notification.sent` and `notification.failed`: written to the notifier's outbox in the
transaction that marks an email or webhook row, once per row; in-app rows publish
nothing; a failure carries its class, never the error text."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.db import messaging
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Channel
from talent_notifier.webhooks.delivery import deliver_webhooks
from talent_notifier.webhooks.models import Webhook
from talent_notifier.webhooks.signing import new_secret

from ..factories import SETTINGS, assigned, deliver, deliveries, hire
from .test_email import after_handling, settings_for


def published(session: Session) -> list[tuple[str, str, dict[str, Any]]]:
    rows = session.execute(
        select(
            messaging.outbox.c.event_type,
            messaging.outbox.c.topic,
            messaging.outbox.c.payload,
        ).order_by(messaging.outbox.c.id)
    )
    return [(row.event_type, row.topic, json.loads(row.payload)) for row in rows]


def test_a_sent_email_publishes_one_notification_sent(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire(sync_session, "Ana Lima")
    envelope = deliver(sync_session, assigned(ana), service="learning")
    assert published(sync_session) == []  # the in-app row publishes nothing

    NOW = after_handling()
    assert deliver_email(sync_session, settings, now=NOW).sent == 1
    assert deliver_email(sync_session, settings, now=NOW + dt.timedelta(hours=1)).sent == 0

    [email_row] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
    [(event_type, topic, payload)] = published(sync_session)
    assert (event_type, topic) == ("talent.notifier.notification.sent.v1", "talent.notifier.v1")
    assert payload == {
        "delivery_id": str(email_row.id),
        "source_event_id": str(uuid.UUID(envelope.id)),
        "kind": "enrollment_assigned",
        "channel": "email",
        "recipient_employee_id": str(ana.employee_id),
        "webhook_id": None,
        "attempts": 1,
    }


def test_a_failure_after_the_last_attempt_publishes_notification_failed(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    mail_catcher.stop()  # every attempt fails to connect
    try:
        settings = settings_for(mail_catcher, email_max_attempts=2)
        ana = hire(sync_session, "Ana Lima")
        deliver(sync_session, assigned(ana), service="learning")
        NOW = after_handling()
        assert deliver_email(sync_session, settings, now=NOW).retried == 1
        assert published(sync_session) == []  # a retry is not an outcome
        assert deliver_email(sync_session, settings, now=NOW + dt.timedelta(hours=1)).failed == 1
    finally:
        mail_catcher.start()

    [email_row] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
    [(event_type, _, payload)] = published(sync_session)
    assert event_type == "talent.notifier.notification.failed.v1"
    assert payload["delivery_id"] == str(email_row.id)
    assert (payload["channel"], payload["attempts"], payload["error_class"]) == (
        "email",
        2,
        "smtp_unavailable",
    )
    # The admins' ledger keeps the error text; the event does not carry it.
    assert email_row.last_error is not None
    assert email_row.last_error not in json.dumps(payload)
    assert ana.email not in json.dumps(payload)


def test_a_webhook_delivery_given_up_publishes_notification_failed_with_the_webhook(
    sync_session: Session,
) -> None:
    hook = Webhook(
        id=uuid.uuid4(),
        url="https://hooks.example.com/gone",
        secret=new_secret(),
        org_unit_code=None,
        categories=[],
        created_by="admin",
        deleted_at=None,
    )
    sync_session.add(hook)
    sync_session.flush()
    deliver(sync_session, assigned(hire(sync_session, "Ana Lima")), service="learning")
    hook.deleted_at = dt.datetime.now(dt.UTC)
    sync_session.flush()

    run = deliver_webhooks(sync_session, SETTINGS, now=after_handling())
    assert run.failed == 1
    [(event_type, _, payload)] = published(sync_session)
    assert event_type == "talent.notifier.notification.failed.v1"
    assert (payload["channel"], payload["webhook_id"], payload["recipient_employee_id"]) == (
        "webhook",
        str(hook.id),
        None,
    )
    assert payload["error_class"] == "webhook_deleted"
