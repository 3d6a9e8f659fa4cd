"""The email delivery job against a real SMTP server (MailDev, read through its HTTP API):
what arrives, and that nothing is lost or doubled while the server is down."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeHired
from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.config import NotifierSettings
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Channel, DeliveryStatus

from ..factories import assigned, deliver, deliveries, hire, overdue, snapshot, terminate


def after_handling() -> dt.datetime:
    """The time runs of the delivery job are given: any moment after the events were
    handled (their email is due from then on); later runs add to it."""
    return dt.datetime.now(dt.UTC)


def settings_for(catcher: MailCatcher, **changes: object) -> NotifierSettings:
    values: dict[str, object] = {
        "environment": "test",
        "smtp_host": "127.0.0.1",
        "smtp_port": catcher.smtp_port,
        "smtp_timeout_s": 5.0,
        "mail_from": "Talent <notifications@talent.invalid>",
        "preferences_url": "http://127.0.0.1:4000/preferences/notifications",
        "email_retry_base_s": 60.0,
        "email_max_attempts": 3,
    }
    values.update(changes)
    return NotifierSettings.model_validate(values)


def emails(session: Session) -> list[tuple[str, str, int]]:
    return sorted(
        (str(r.recipient_id), r.status, r.attempts)
        for r in deliveries(session)
        if r.channel == Channel.EMAIL
    )


def test_an_overdue_course_mails_the_employee_and_the_manager_once(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana <Lima>", manager=boss)
    envelope = deliver(sync_session, overdue(ana, course="PRIV-200"), service="learning")

    NOW = after_handling()
    run = deliver_email(sync_session, settings, now=NOW)
    assert (run.sent, run.retried, run.failed) == (2, 0, 0)
    # A redelivered event and another run: nothing more is sent.
    deliver(sync_session, overdue(ana, course="PRIV-200"), service="learning", envelope=envelope)
    assert deliver_email(sync_session, settings, now=NOW + dt.timedelta(hours=1)).sent == 0

    caught = {tuple(m.to): m for m in mail_catcher.messages()}
    assert set(caught) == {(ana.email,), (boss.email,)}
    to_boss = caught[(boss.email,)]
    assert to_boss.subject == "Overdue for Ana <Lima>: PRIV-200"
    assert "Ana <Lima>, who reports to you, has not completed the course PRIV-200" in to_boss.text
    assert "Ana &lt;Lima&gt;" in to_boss.html
    assert caught[(ana.email,)].subject == "Overdue: PRIV-200"
    assert [m.subject for m in mail_catcher.messages(to=ana.email)] == ["Overdue: PRIV-200"]

    raw = email.message_from_string(mail_catcher.source(to_boss.id), policy=email.policy.default)
    assert raw["List-Unsubscribe"] == (
        "<mailto:unsubscribe@talent.invalid>, <http://127.0.0.1:4000/preferences/notifications>"
    )
    assert raw["From"] == "Talent <notifications@talent.invalid>"
    assert [r[1] for r in emails(sync_session)] == [DeliveryStatus.SENT, DeliveryStatus.SENT]


def test_nothing_is_lost_while_smtp_is_down_and_it_arrives_once(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire(sync_session, "Ana Lima")
    deliver(sync_session, assigned(ana, course="SEC-101"), service="learning")

    mail_catcher.stop()
    try:
        NOW = after_handling()
        down = deliver_email(sync_session, settings, now=NOW)
        assert (down.sent, down.retried, down.failed) == (0, 1, 0)
        [row] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
        assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
        assert row.next_attempt_at == NOW + dt.timedelta(seconds=60)
        assert row.last_error is not None
        # Not due yet: a run before the backoff ends does not try.
        assert (
            deliver_email(sync_session, settings, now=NOW + dt.timedelta(seconds=30)).retried == 0
        )
    finally:
        mail_catcher.start()

    assert mail_catcher.messages() == []
    later = NOW + dt.timedelta(seconds=61)
    assert deliver_email(sync_session, settings, now=later).sent == 1
    assert deliver_email(sync_session, settings, now=later + dt.timedelta(hours=1)).sent == 0
    [arrived] = mail_catcher.messages()
    assert arrived.to == [ana.email]
    assert arrived.subject == "New course assigned: SEC-101"
    assert emails(sync_session) == [(str(ana.employee_id), DeliveryStatus.SENT, 2)]


def test_after_the_last_attempt_a_delivery_is_failed_for_admins_to_see(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    # A port nothing listens on: every attempt fails to connect.
    mail_catcher.stop()
    try:
        settings = settings_for(mail_catcher, email_max_attempts=2)
        ana = hire(sync_session, "Ana Lima")
        deliver(sync_session, assigned(ana), service="learning")
        NOW = after_handling()
        first = deliver_email(sync_session, settings, now=NOW)
        second = deliver_email(sync_session, settings, now=NOW + dt.timedelta(hours=1))
    finally:
        mail_catcher.start()
    assert (first.retried, first.failed) == (1, 0)
    assert (second.retried, second.failed) == (0, 1)
    [row] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)
    assert deliver_email(sync_session, settings, now=NOW + dt.timedelta(days=1)).sent == 0


def test_email_to_someone_terminated_since_is_not_sent(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire(sync_session, "Ana Lima")
    deliver(sync_session, assigned(ana), service="learning")
    terminate(sync_session, ana)
    NOW = after_handling()
    run = deliver_email(sync_session, settings, now=NOW)
    assert (run.sent, run.failed) == (0, 1)
    assert mail_catcher.messages() == []
    assert emails(sync_session) == [(str(ana.employee_id), DeliveryStatus.FAILED, 1)]


def test_email_waits_for_a_recipient_people_has_not_told_about_yet(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = snapshot("Ana Lima")
    deliver(sync_session, assigned(ana, course="SEC-101"), service="learning")
    NOW = after_handling()
    early = deliver_email(sync_session, settings, now=NOW)
    assert (early.sent, early.retried) == (0, 1)

    deliver(
        sync_session, EmployeeHired(employee_id=ana.employee_id, employee=ana), service="people"
    )
    assert deliver_email(sync_session, settings, now=NOW + dt.timedelta(minutes=5)).sent == 1
    assert [m.subject for m in mail_catcher.messages(to=ana.email)] == [
        "New course assigned: SEC-101"
    ]


def test_a_refused_message_waits_while_the_others_go_out(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire(sync_session, "Ana Lima")
    bad = snapshot("Bad Address", email="bad <address>@example.com")
    deliver(
        sync_session, EmployeeHired(employee_id=bad.employee_id, employee=bad), service="people"
    )
    deliver(sync_session, assigned(bad), service="learning")
    deliver(sync_session, assigned(ana), service="learning")
    NOW = after_handling()
    run = deliver_email(sync_session, settings, now=NOW)
    assert (run.sent, run.retried, run.failed) == (1, 1, 0)
    assert [m.to for m in mail_catcher.messages()] == [[ana.email]]
    assert emails(sync_session) == sorted(
        [
            (str(ana.employee_id), DeliveryStatus.SENT, 1),
            (str(bad.employee_id), DeliveryStatus.PENDING, 1),
        ]
    )
