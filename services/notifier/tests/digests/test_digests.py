"""Digests against real PostgreSQL and a real SMTP server (MailDev): the digest job is
run on demand with a fixed clock (`make_digests(..., now=...)`), the email delivery job
sends what it made. Held rows are dated in the week of 7 January 2030 (a Monday)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.digests.service import make_digests
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Channel, DeliveryStatus, NotificationKind
from talent_notifier.preferences.models import Frequency

from ..factories import deliver, deliveries, overdue, terminate
from ..notifications.test_email import settings_for
from ..preferences.factories import assigned_for, choose, hire_in, quiet
from .factories import recorded_at

UTC = dt.UTC
HOUR = 7
TUESDAY = dt.datetime(2030, 1, 8, 10, 0, tzinfo=UTC)
SUNDAY = dt.datetime(2030, 1, 13, 20, 0, tzinfo=UTC)
MONDAY = dt.datetime(2030, 1, 14, 8, 0, tzinfo=UTC)


def weekly(session: Session, now: dt.datetime) -> int:
    return make_digests(session, frequency=Frequency.WEEKLY, now=now, hour=HOUR).made


def held(session: Session) -> list[tuple[str, str | None]]:
    return sorted(
        (r.status, r.data.get("course_code"))
        for r in deliveries(session)
        if r.channel == Channel.EMAIL and r.digest is not None and r.kind != "digest"
    )


def test_weekly_notices_go_in_one_digest_on_monday_and_only_once(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.WEEKLY)
    for course in ("OPT-1", "OPT-2"):
        deliver(sync_session, assigned_for(ana, "manager", course=course), service="learning")
    recorded_at(sync_session, TUESDAY)

    # Before the week's period: nothing is made, nothing sent.
    assert weekly(sync_session, SUNDAY) == 0
    assert make_digests(sync_session, frequency=Frequency.DAILY, now=MONDAY, hour=HOUR).made == 0
    assert deliver_email(sync_session, settings, now=SUNDAY).sent == 0
    assert mail_catcher.messages() == []

    assert weekly(sync_session, MONDAY) == 1
    assert deliver_email(sync_session, settings, now=MONDAY).sent == 1
    [digest] = mail_catcher.messages(to=ana.email)
    assert digest.subject == "Your weekly digest: 2 notifications"
    assert "New course assigned: OPT-1" in digest.text
    assert "New course assigned: OPT-2" in digest.html
    assert "http://127.0.0.1:4000/preferences/notifications" in digest.text
    assert "List-Unsubscribe: <mailto:" in mail_catcher.source(digest.id)
    [row] = [r for r in deliveries(sync_session) if r.kind == NotificationKind.DIGEST]
    assert (row.status, row.recipient_id) == (DeliveryStatus.SENT, ana.employee_id)
    assert held(sync_session) == [("sent", "OPT-1"), ("sent", "OPT-2")]
    assert {
        r.digest_delivery_id
        for r in deliveries(sync_session)
        if r.kind == "enrollment_assigned" and r.channel == Channel.EMAIL
    } == {row.id}

    # The same period again: nothing more.
    assert weekly(sync_session, MONDAY + dt.timedelta(hours=5)) == 0
    assert deliver_email(sync_session, settings, now=MONDAY + dt.timedelta(hours=5)).sent == 0
    assert len(mail_catcher.messages()) == 1


def test_a_notice_held_after_the_period_began_waits_for_the_next_one(
    sync_session: Session,
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.WEEKLY)
    deliver(sync_session, assigned_for(ana, "manager", course="OPT-1"), service="learning")
    recorded_at(sync_session, MONDAY + dt.timedelta(hours=1))
    assert weekly(sync_session, MONDAY + dt.timedelta(days=2)) == 0
    assert weekly(sync_session, MONDAY + dt.timedelta(days=7)) == 1


def test_daily_digests_are_due_at_the_hour_of_the_quiet_hours_time_zone(
    sync_session: Session,
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    bob = hire_in(sync_session, "Bob Stone")
    for person in (ana, bob):
        choose(sync_session, person, Frequency.DAILY)
        deliver(sync_session, assigned_for(person, "manager"), service="learning")
    quiet(sync_session, ana, dt.time(22), dt.time(6), "America/New_York")
    # 10:00 in New York on 8 January.
    recorded_at(sync_session, dt.datetime(2030, 1, 8, 15, 0, tzinfo=UTC))

    def daily(now: dt.datetime) -> int:
        return make_digests(sync_session, frequency=Frequency.DAILY, now=now, hour=HOUR).made

    # 06:00 in New York, 11:00 UTC: Bob's day has begun, Ana's has not.
    assert daily(dt.datetime(2030, 1, 9, 11, 0, tzinfo=UTC)) == 1
    assert [r.recipient_id for r in deliveries(sync_session) if r.kind == "digest"] == [
        bob.employee_id
    ]
    # 07:30 in New York.
    assert daily(dt.datetime(2030, 1, 9, 12, 30, tzinfo=UTC)) == 1
    assert daily(dt.datetime(2030, 1, 9, 23, 0, tzinfo=UTC)) == 0


def test_off_gets_no_digest(sync_session: Session, mail_catcher: MailCatcher) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    bob = hire_in(sync_session, "Bob Stone")
    choose(sync_session, ana, Frequency.OFF)
    choose(sync_session, bob, Frequency.WEEKLY)
    for person in (ana, bob):
        deliver(sync_session, assigned_for(person, "manager"), service="learning")
    recorded_at(sync_session, TUESDAY)

    assert weekly(sync_session, MONDAY) == 1
    assert deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY).sent == 1
    assert mail_catcher.messages(to=ana.email) == []
    assert [m.subject for m in mail_catcher.messages(to=bob.email)] == [
        "Your weekly digest: 1 notification"
    ]


def test_a_manager_digest_lists_each_reports_overdue_course(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    mia = hire_in(sync_session, "Mia Costa")
    ana = hire_in(sync_session, "Ana Lima", manager=mia)
    bob = hire_in(sync_session, "Bob Stone", manager=mia)
    hire_in(sync_session, "Cai Wong", manager=mia)  # nothing to say about Cai
    leo = hire_in(sync_session, "Leo Brandt")
    hire_in(sync_session, "Dan Reis", manager=leo)  # Leo has nothing to say
    deliver(sync_session, overdue(ana, course="PRIV-200"), service="learning")
    deliver(sync_session, overdue(bob, course="SEC-101"), service="learning")
    deliver(sync_session, overdue(bob, course="OLD-1"), service="learning")
    recorded_at(sync_session, TUESDAY)
    # A week earlier: last week's news, not this digest's.
    recorded_at(sync_session, TUESDAY - dt.timedelta(days=7), course="OLD-1")

    run = make_digests(sync_session, frequency=Frequency.WEEKLY, now=MONDAY, hour=HOUR)
    assert (run.made, run.manager_digests) == (1, 1)
    deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY)
    [digest] = [m for m in mail_catcher.messages(to=mia.email) if m.subject.startswith("Your team")]
    assert digest.subject == "Your team this week: 2 reports"
    assert "Ana Lima\n- Overdue: PRIV-200, due on 2026-01-31" in digest.text
    assert "Bob Stone\n- Overdue: SEC-101, due on 2026-01-31" in digest.text
    assert "OLD-1" not in digest.text
    assert "Cai Wong" not in digest.text
    assert "<strong>PRIV-200</strong>" in digest.html
    assert mail_catcher.messages(to="leo.brandt@example.com") == []
    assert weekly(sync_session, MONDAY + dt.timedelta(hours=1)) == 0


def test_terminated_people_get_no_digest(sync_session: Session, mail_catcher: MailCatcher) -> None:
    mia = hire_in(sync_session, "Mia Costa")
    ana = hire_in(sync_session, "Ana Lima", manager=mia)
    bob = hire_in(sync_session, "Bob Stone")
    choose(sync_session, bob, Frequency.WEEKLY)
    deliver(sync_session, assigned_for(bob, "manager"), service="learning")
    deliver(sync_session, overdue(ana, course="PRIV-200"), service="learning")
    recorded_at(sync_session, TUESDAY)
    terminate(sync_session, mia)
    terminate(sync_session, bob)

    assert weekly(sync_session, MONDAY) == 0
    deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY)
    assert mail_catcher.messages(to=mia.email) == []
    assert mail_catcher.messages(to=bob.email) == []
    assert held(sync_session) == [("failed", "SEC-101")]


def test_a_digest_made_while_smtp_is_down_arrives_once_when_it_is_back(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    settings = settings_for(mail_catcher)
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.WEEKLY)
    deliver(sync_session, assigned_for(ana, "manager", course="OPT-1"), service="learning")
    recorded_at(sync_session, TUESDAY)

    mail_catcher.stop()
    try:
        assert weekly(sync_session, MONDAY) == 1
        down = deliver_email(sync_session, settings, now=MONDAY)
        assert (down.sent, down.retried) == (0, 1)
        assert held(sync_session) == [("digest", "OPT-1")]
    finally:
        mail_catcher.start()

    assert weekly(sync_session, MONDAY + dt.timedelta(minutes=2)) == 0
    assert deliver_email(sync_session, settings, now=MONDAY + dt.timedelta(minutes=2)).sent == 1
    assert deliver_email(sync_session, settings, now=MONDAY + dt.timedelta(hours=1)).sent == 0
    [arrived] = mail_catcher.messages()
    assert (arrived.to, arrived.subject) == ([ana.email], "Your weekly digest: 1 notification")
    assert held(sync_session) == [("sent", "OPT-1")]
