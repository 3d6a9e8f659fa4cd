"""Webhook deliveries against a real receiver on 127.0.0.1 that verifies signatures:
which webhooks a notification goes to, what they receive, and that nothing is lost or
doubled while a receiver is down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeHired
from talent_notifier.config import NotifierSettings
from talent_notifier.notifications.models import Audience, Channel, Delivery, DeliveryStatus
from talent_notifier.webhooks.delivery import deliver_webhooks
from talent_notifier.webhooks.signing import new_secret

from ..factories import assigned, deliver, deliveries, hire, overdue, snapshot, terminate
from .receiver import Receiver, register


def settings(**changes: object) -> NotifierSettings:
    values: dict[str, object] = {
        "environment": "test",
        "webhook_timeout_s": 5.0,
        "webhook_retry_base_s": 60.0,
        "webhook_max_attempts": 3,
    }
    values.update(changes)
    return NotifierSettings.model_validate(values)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(secret=new_secret())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def webhook_rows(session: Session) -> list[Delivery]:
    return [r for r in deliveries(session) if r.channel == Channel.WEBHOOK]


def test_a_notification_reaches_a_matching_webhook_once_signed_and_readable(
    sync_session: Session, receiver: Receiver
) -> None:
    webhook = register(sync_session, receiver.url, secret=receiver.secret)
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana <Lima> & co", manager=boss)
    event = overdue(ana, course="PRIV-200")
    envelope = deliver(sync_session, event, service="learning")
    # A redelivered event records nothing more.
    deliver(sync_session, event, service="learning", envelope=envelope)

    [row] = webhook_rows(sync_session)
    assert (row.recipient_id, row.audience, row.status) == (
        webhook.id,
        Audience.WEBHOOK,
        DeliveryStatus.PENDING,
    )
    now = dt.datetime.now(dt.UTC)
    run = deliver_webhooks(sync_session, settings(), now=now)
    assert (run.sent, run.retried, run.failed) == (1, 0, 0)
    assert deliver_webhooks(sync_session, settings(), now=now + dt.timedelta(hours=1)).sent == 0

    [received] = receiver.received
    assert received.verified
    assert received.path == "/hooks/talent"
    assert received.headers["webhook-id"] == f"msg_{row.id.hex}"
    assert received.headers["content-type"] == "application/json"
    assert received.json == {
        "text": "Ana &lt;Lima&gt; &amp; co has not completed the course PRIV-200, "
        "due on 2026-01-31.",
        "type": "talent.notification.enrollment_overdue",
        "timestamp": row.created_at.isoformat(),
        "data": {
            "notificationId": str(row.id),
            "kind": "ENROLLMENT_OVERDUE",
            "employeeId": str(ana.employee_id),
            "courseCode": "PRIV-200",
            "dueOn": "2026-01-31",
            "validUntil": None,
        },
    }
    sync_session.refresh(row)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1)


def test_webhooks_filter_by_org_unit_with_sub_units_and_by_category(
    sync_session: Session,
) -> None:
    url = "http://127.0.0.1:9/unused"
    engineering = register(sync_session, url, org_unit_code="Engineering")
    platform = register(sync_session, url, org_unit_code="Engineering / Platform")
    sales = register(sync_session, url, org_unit_code="Sales")
    learning = register(sync_session, url, categories=["learning"])
    reviews = register(sync_session, url, categories=["reviews"])
    anywhere = register(sync_session, url)

    dev = snapshot("Dev Eloper", org_unit_code="Engineering / Platform / Tools")
    deliver(
        sync_session, EmployeeHired(employee_id=dev.employee_id, employee=dev), service="people"
    )
    deliver(sync_session, assigned(dev), service="learning")
    # Not known to the projection yet: in no org unit, so only webhooks for everyone.
    stranger = snapshot("Sam Stranger")
    deliver(sync_session, assigned(stranger), service="learning")

    by_employee: dict[object, set[object]] = {}
    for row in webhook_rows(sync_session):
        by_employee.setdefault(row.subject_employee_id, set()).add(row.recipient_id)
    assert by_employee == {
        dev.employee_id: {engineering.id, platform.id, learning.id, anywhere.id},
        stranger.employee_id: {learning.id, anywhere.id},
    }
    assert sales.id not in by_employee[dev.employee_id]
    assert reviews.id not in by_employee[dev.employee_id]


def test_nothing_goes_to_webhooks_about_someone_terminated(sync_session: Session) -> None:
    register(sync_session, "http://127.0.0.1:9/unused")
    ana = hire(sync_session, "Ana Lima")
    terminate(sync_session, ana)
    deliver(sync_session, assigned(ana), service="learning")
    assert webhook_rows(sync_session) == []


def test_nothing_is_lost_while_the_receiver_is_down_and_it_arrives_once(
    sync_session: Session, receiver: Receiver
) -> None:
    register(sync_session, receiver.url, secret=receiver.secret)
    ana = hire(sync_session, "Ana Lima")
    receiver.stop()
    try:
        deliver(sync_session, assigned(ana, course="SEC-101"), service="learning")
        now = dt.datetime.now(dt.UTC)
        down = deliver_webhooks(sync_session, settings(), now=now)
        assert (down.sent, down.retried, down.failed) == (0, 1, 0)
        [row] = webhook_rows(sync_session)
        assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
        assert row.next_attempt_at == now + dt.timedelta(seconds=60)
        assert row.last_error is not None
        # Not due yet: a run before the backoff ends does not try.
        early = deliver_webhooks(sync_session, settings(), now=now + dt.timedelta(seconds=30))
        assert (early.sent, early.retried, early.failed) == (0, 0, 0)
        sync_session.refresh(row)
        assert row.attempts == 1
    finally:
        receiver.start()

    assert receiver.received == []
    later = now + dt.timedelta(seconds=61)
    assert deliver_webhooks(sync_session, settings(), now=later).sent == 1
    assert deliver_webhooks(sync_session, settings(), now=later + dt.timedelta(hours=1)).sent == 0
    [arrived] = receiver.received
    assert arrived.verified
    assert arrived.json["data"]["courseCode"] == "SEC-101"
    assert arrived.json["text"] == "Ana Lima was assigned the course SEC-101, due on 2026-03-31."
    sync_session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, None)


def test_a_client_error_fails_at_once_for_admins_to_see(
    sync_session: Session, receiver: Receiver
) -> None:
    receiver.status = 404
    register(sync_session, receiver.url, secret=receiver.secret)
    deliver(sync_session, assigned(hire(sync_session, "Ana Lima")), service="learning")
    now = dt.datetime.now(dt.UTC)
    run = deliver_webhooks(sync_session, settings(), now=now)
    assert (run.sent, run.retried, run.failed) == (0, 0, 1)
    [row] = webhook_rows(sync_session)
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 1, None)
    assert row.last_error == "HTTP 404 Not Found"
    assert deliver_webhooks(sync_session, settings(), now=now + dt.timedelta(days=1)).failed == 0
    assert len(receiver.received) == 1


@pytest.mark.parametrize("status", [500, 429, 408])
def test_retryable_answers_are_retried_then_failed_after_the_last_attempt(
    sync_session: Session, receiver: Receiver, status: int
) -> None:
    receiver.status = status
    register(sync_session, receiver.url, secret=receiver.secret)
    deliver(sync_session, assigned(hire(sync_session, "Ana Lima")), service="learning")
    now = dt.datetime.now(dt.UTC)
    runs = [
        deliver_webhooks(sync_session, settings(webhook_max_attempts=2), now=now + wait)
        for wait in (dt.timedelta(0), dt.timedelta(hours=1))
    ]
    assert [(r.retried, r.failed) for r in runs] == [(1, 0), (0, 1)]
    [row] = webhook_rows(sync_session)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 2)
    assert row.last_error is not None and row.last_error.startswith(f"HTTP {status}")
    assert len(receiver.verified) == 2


def test_a_receiver_slower_than_the_timeout_is_retried(
    sync_session: Session, receiver: Receiver
) -> None:
    receiver.delay_s = 2.0
    register(sync_session, receiver.url, secret=receiver.secret)
    deliver(sync_session, assigned(hire(sync_session, "Ana Lima")), service="learning")
    run = deliver_webhooks(
        sync_session, settings(webhook_timeout_s=0.2), now=dt.datetime.now(dt.UTC)
    )
    assert (run.sent, run.retried, run.failed) == (0, 1, 0)
    [row] = webhook_rows(sync_session)
    assert row.status == DeliveryStatus.PENDING
    assert row.last_error is not None and row.last_error.startswith("ReadTimeout")


def test_a_redirect_is_not_followed(sync_session: Session, receiver: Receiver) -> None:
    elsewhere = Receiver(secret=receiver.secret)
    elsewhere.start()
    try:
        receiver.status = 307
        receiver.location = elsewhere.url
        register(sync_session, receiver.url, secret=receiver.secret)
        deliver(sync_session, assigned(hire(sync_session, "Ana Lima")), service="learning")
        run = deliver_webhooks(sync_session, settings(), now=dt.datetime.now(dt.UTC))
    finally:
        elsewhere.stop()
    assert (run.sent, run.retried) == (0, 1)
    assert len(receiver.received) == 1
    assert elsewhere.received == []
    [row] = webhook_rows(sync_session)
    assert row.last_error is not None and "redirects are not followed" in row.last_error


def test_a_deleted_webhook_gets_nothing_more(sync_session: Session, receiver: Receiver) -> None:
    webhook = register(sync_session, receiver.url, secret=receiver.secret)
    ana = hire(sync_session, "Ana Lima")
    deliver(sync_session, assigned(ana, course="SEC-101"), service="learning")
    webhook.deleted_at = dt.datetime.now(dt.UTC)
    sync_session.flush()
    deliver(sync_session, assigned(ana, course="SEC-102"), service="learning")

    run = deliver_webhooks(sync_session, settings(), now=dt.datetime.now(dt.UTC))
    assert (run.sent, run.failed) == (0, 1)
    assert receiver.received == []
    [row] = webhook_rows(sync_session)
    assert (row.status, row.last_error) == (DeliveryStatus.FAILED, "the webhook was deleted")
