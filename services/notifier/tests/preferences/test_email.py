"""Preferences and quiet hours against a real SMTP server (MailDev): what is mailed,
what is held, and when. Runs of the delivery job are given a fixed clock, later than
the events' handling, so every row is due and the quiet-hours arithmetic is exact."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Channel, DeliveryStatus
from talent_notifier.preferences.models import Frequency

from ..factories import deliver, deliveries
from ..notifications.test_email import settings_for
from .factories import assigned_for, choose, hire_in, quiet

UTC = dt.UTC
# 23:00 on 15 January 2030 in New York (UTC-5), after any handling time of these tests.
CLOCK = dt.datetime(2030, 1, 16, 4, 0, tzinfo=UTC)


def test_off_sends_no_email_but_a_compliance_notice_still_goes(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.OFF, channel=Channel.EMAIL)
    deliver(sync_session, assigned_for(ana, "manager", course="OPT-1"), service="learning")
    deliver(sync_session, assigned_for(ana, "compliance", course="SEC-101"), service="learning")

    run = deliver_email(sync_session, settings_for(mail_catcher), now=CLOCK)
    assert run.sent == 1
    assert [m.subject for m in mail_catcher.messages(to=ana.email)] == [
        "New course assigned: SEC-101"
    ]
    inbox = sorted(
        r.data["course_code"] for r in deliveries(sync_session) if r.channel == Channel.IN_APP
    )
    assert inbox == ["OPT-1", "SEC-101"]


def test_weekly_email_is_held_and_not_sent(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.WEEKLY, channel=Channel.EMAIL)
    deliver(sync_session, assigned_for(ana, "manager"), service="learning")

    for days in (0, 8):
        run = deliver_email(
            sync_session, settings_for(mail_catcher), now=CLOCK + dt.timedelta(days=days)
        )
        assert (run.sent, run.retried, run.failed) == (0, 0, 0)
    assert mail_catcher.messages() == []
    [email] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
    assert (email.status, email.attempts) == (DeliveryStatus.DIGEST, 0)


def test_quiet_hours_hold_email_until_they_end_in_the_persons_zone(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire_in(sync_session, "Ana Lima")
    bo = hire_in(sync_session, "Bo Day")
    quiet(sync_session, ana, dt.time(22), dt.time(7), "America/New_York")
    quiet(sync_session, bo, dt.time(22), dt.time(7), "Asia/Tokyo")  # 13:00 there: not quiet
    deliver(sync_session, assigned_for(ana, "manager"), service="learning")
    deliver(sync_session, assigned_for(bo, "manager"), service="learning")

    run = deliver_email(sync_session, settings, now=CLOCK)
    assert (run.sent, run.postponed) == (1, 1)
    assert [m.to for m in mail_catcher.messages()] == [[bo.email]]
    end = dt.datetime(2030, 1, 16, 12, 0, tzinfo=UTC)  # 07:00 in New York
    [held] = [
        r
        for r in deliveries(sync_session)
        if r.channel == Channel.EMAIL and r.recipient_id == ana.employee_id
    ]
    assert (held.status, held.attempts, held.next_attempt_at) == (DeliveryStatus.PENDING, 0, end)
    # The inbox is not quiet.
    assert any(
        r.channel == Channel.IN_APP and r.recipient_id == ana.employee_id
        for r in deliveries(sync_session)
    )

    assert deliver_email(sync_session, settings, now=end - dt.timedelta(minutes=1)).sent == 0
    assert deliver_email(sync_session, settings, now=end).sent == 1
    assert [m.subject for m in mail_catcher.messages(to=ana.email)] == [
        "New course assigned: SEC-101"
    ]
    sync_session.refresh(held)
    assert (held.status, held.attempts, held.sent_at) == (DeliveryStatus.SENT, 1, end)
