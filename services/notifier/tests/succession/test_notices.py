"""Succession's events reach the succession recipients the admins named (HR leaders):
an uncovered key role each recipient once, however often it is replayed; a stale record
those whose org unit holds the employee, never the employee themselves; nobody else,
ever; and only webhooks subscribed to SUCCESSION by name. What they say: the role, its
criticality and how many successors are named; the kind of record, whose and its date;
never a potential value or a readiness level."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Audience, Channel, DeliveryStatus
from talent_notifier.preferences.models import Category, Frequency
from talent_notifier.webhooks.models import Webhook
from talent_notifier.webhooks.signing import new_secret

from ..factories import deliver, deliveries, snapshot, terminate
from ..notifications.test_email import after_handling, settings_for
from ..preferences.factories import choose, hire_in
from .factories import defined, overdue_record, recipient, uncovered


def test_an_uncovered_key_role_reaches_each_recipient_once_however_often_it_is_replayed(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    ida = hire_in(sync_session, "Ida Head", org_unit_code="HR")
    ana = hire_in(sync_session, "Ana Lima")
    recipient(sync_session, hal)
    recipient(sync_session, ida, org_unit_code="Sales")  # key roles reach every recipient
    role = defined("CFO", title="Chief Financial Officer")
    deliver(sync_session, role, service="succession")
    event = uncovered(role, successors=1)
    envelope = deliver(sync_session, event, service="succession")
    for _ in range(2):  # redelivered, then replayed from succession's outbox
        deliver(sync_session, event, service="succession", envelope=envelope)

    rows = deliveries(sync_session)
    assert sorted((r.recipient_id, r.channel) for r in rows) == sorted(
        (who.employee_id, channel)
        for who in (hal, ida)
        for channel in (Channel.EMAIL, Channel.IN_APP)
    )
    assert all(r.kind == "key_role_uncovered" and r.audience == Audience.HR for r in rows)
    assert ana.employee_id not in {r.recipient_id for r in rows}
    assert rows[0].data == {
        "key_role_id": str(role.key_role_id),
        "key_role_code": "CFO",
        "key_role_title": "Chief Financial Officer",
        "criticality": "high",
        "successors": 1,
    }

    assert deliver_email(sync_session, settings_for(mail_catcher), now=after_handling()).sent == 2
    [to_hal] = mail_catcher.messages(to=hal.email)
    assert to_hal.subject == (
        "Key role CFO (criticality HIGH) has no ready-now successor; 1 successor named"
    )
    assert "The key role CFO (Chief Financial Officer), criticality HIGH" in to_hal.text
    assert "1 successor named" in to_hal.text


def test_nobody_but_a_recipient_hears_about_succession(sync_session: Session) -> None:
    boss = hire_in(sync_session, "Bea Boss")
    ana = hire_in(sync_session, "Ana Lima", manager=boss)
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    sal = hire_in(sync_session, "Sal Sales", org_unit_code="Sales")
    ida = hire_in(sync_session, "Ida Head", org_unit_code="HR")
    gone = hire_in(sync_session, "Gus Gone", org_unit_code="HR")
    recipient(sync_session, hal)
    recipient(sync_session, ida)
    recipient(sync_session, sal, org_unit_code="Sales")  # Ana and Hal are not in Sales
    recipient(sync_session, gone)
    terminate(sync_session, gone)

    deliver(sync_session, overdue_record(ana), service="succession")
    deliver(sync_session, overdue_record(hal, "readiness"), service="succession")  # Hal's own
    deliver(sync_session, uncovered(defined("CTO", title="CTO")), service="succession")

    told = {(r.recipient_id, r.kind) for r in deliveries(sync_session)}
    assert told == {
        (hal.employee_id, "succession_record_stale"),
        (hal.employee_id, "key_role_uncovered"),
        (ida.employee_id, "succession_record_stale"),
        (ida.employee_id, "key_role_uncovered"),
        (sal.employee_id, "key_role_uncovered"),
    }
    stale = [r for r in deliveries(sync_session) if r.kind == "succession_record_stale"]
    assert {(r.recipient_id, r.subject_employee_id) for r in stale} == {
        (hal.employee_id, ana.employee_id),  # not about his own record
        (ida.employee_id, ana.employee_id),
        (ida.employee_id, hal.employee_id),
    }
    for outsider in (ana, boss, gone):
        assert outsider.employee_id not in {r.recipient_id for r in deliveries(sync_session)}


def test_a_stale_record_notice_names_the_record_and_date_never_its_value(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    recipient(sync_session, hal)
    event = overdue_record(ana, "potential")
    deliver(sync_session, event, service="succession")

    [row] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
    assert row.data == {
        "record_kind": "potential",
        "record_id": str(event.record_id),
        "review_by": "2026-05-01",
    }
    assert deliver_email(sync_session, settings_for(mail_catcher), now=after_handling()).sent == 1
    [mail] = mail_catcher.messages(to=hal.email)
    assert mail.subject == "The potential assessment of Ana Lima was due for review on 2026-05-01"
    for text in (mail.text, mail.html):
        assert "Ana Lima" in text
        for value in ("high", "medium", "low", "ready now", "ready_now", "years"):
            assert value not in text.lower()


def test_succession_preferences_apply_and_a_terminated_employee_is_not_reported(
    sync_session: Session,
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    ben = hire_in(sync_session, "Ben Ode")
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    recipient(sync_session, hal)
    choose(sync_session, hal, Frequency.OFF, category=Category.SUCCESSION)
    terminate(sync_session, ben)
    deliver(sync_session, overdue_record(ana), service="succession")
    deliver(sync_session, overdue_record(ben), service="succession")

    assert [(r.channel, r.subject_employee_id) for r in deliveries(sync_session)] == [
        (Channel.IN_APP, ana.employee_id)
    ]


def test_only_webhooks_that_name_succession_get_succession_notices(sync_session: Session) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    hooks = {
        name: Webhook(
            id=uuid.uuid4(),
            url=f"https://hooks.example.com/{name}",
            secret=new_secret(),
            org_unit_code=unit,
            categories=categories,
            created_by="admin",
        )
        for name, categories, unit in (
            ("everything", [], None),
            ("learning", ["learning"], None),
            ("succession", ["succession"], None),
            ("engineering-succession", ["succession"], "Engineering"),
        )
    }
    sync_session.add_all(hooks.values())
    sync_session.flush()
    deliver(sync_session, overdue_record(ana), service="succession")
    role = defined("CFO", title="Chief Financial Officer")
    deliver(sync_session, uncovered(role), service="succession")

    rows = [r for r in deliveries(sync_session) if r.channel == Channel.WEBHOOK]
    assert sorted((r.kind, r.recipient_id) for r in rows) == sorted(
        [
            ("succession_record_stale", hooks["succession"].id),
            ("succession_record_stale", hooks["engineering-succession"].id),
            # A key role is in no org unit: only the webhook without one.
            ("key_role_uncovered", hooks["succession"].id),
        ]
    )
    assert all(r.status == DeliveryStatus.PENDING for r in rows)


def test_a_stale_record_of_someone_people_has_not_told_about_yet_names_no_one(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    recipient(sync_session, hal)
    deliver(sync_session, overdue_record(snapshot("Not Yet Known")), service="succession")
    assert deliver_email(sync_session, settings_for(mail_catcher), now=after_handling()).sent == 1
    [mail] = mail_catcher.messages(to=hal.email)
    assert (
        mail.subject == "The potential assessment of an employee was due for review on 2026-05-01"
    )
