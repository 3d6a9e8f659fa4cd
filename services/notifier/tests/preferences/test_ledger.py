"""Preferences decide which ledger rows a notification makes, per channel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from talent_notifier.notifications.models import Channel, DeliveryStatus
from talent_notifier.preferences.models import Frequency

from ..factories import deliver, deliveries, overdue
from .factories import assigned_for, choose, default, expiring, hire_in


def rows(session: Session) -> set[tuple[str, str, str | None]]:
    return {(r.channel, r.status, r.digest) for r in deliveries(session)}


def test_email_off_leaves_the_inbox(sync_session: Session) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.OFF, channel=Channel.EMAIL)
    deliver(sync_session, assigned_for(ana, "manager"), service="learning")
    assert rows(sync_session) == {(Channel.IN_APP, DeliveryStatus.SENT, None)}


def test_in_app_off_leaves_the_email(sync_session: Session) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.OFF, channel=Channel.IN_APP)
    deliver(sync_session, assigned_for(ana, "manager"), service="learning")
    assert rows(sync_session) == {(Channel.EMAIL, DeliveryStatus.PENDING, None)}


def test_weekly_holds_the_email_for_the_digest_and_fills_the_inbox(sync_session: Session) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    choose(sync_session, ana, Frequency.WEEKLY, channel=Channel.EMAIL)
    choose(sync_session, ana, Frequency.DAILY, channel=Channel.IN_APP)
    deliver(sync_session, assigned_for(ana, "self"), service="learning")
    assert rows(sync_session) == {
        (Channel.EMAIL, DeliveryStatus.DIGEST, "weekly"),
        (Channel.IN_APP, DeliveryStatus.SENT, None),
    }
    [email] = [r for r in deliveries(sync_session) if r.channel == Channel.EMAIL]
    assert email.next_attempt_at is None


def test_compliance_notices_ignore_off(sync_session: Session) -> None:
    boss = hire_in(sync_session, "Bea Boss")
    ana = hire_in(sync_session, "Ana Lima", manager=boss)
    for who in (ana, boss):
        for channel in Channel:
            choose(sync_session, who, Frequency.OFF, channel=channel)
    required = assigned_for(ana, "compliance")
    deliver(sync_session, required, service="learning")
    deliver(sync_session, expiring(ana), service="learning")
    late = overdue(ana).model_copy(update={"enrollment_id": required.enrollment_id})
    deliver(sync_session, late, service="learning")
    # Overdue for a course that is not a compliance one: nothing for either.
    deliver(sync_session, overdue(ana), service="learning")

    found = sorted(
        (r.kind, str(r.recipient_id), r.channel, r.status) for r in deliveries(sync_session)
    )
    expected = sorted(
        (
            kind,
            str(who),
            channel,
            DeliveryStatus.SENT if channel == Channel.IN_APP else DeliveryStatus.PENDING,
        )
        for kind, who in (
            ("enrollment_assigned", ana.employee_id),
            ("certification_expiring", ana.employee_id),
            ("enrollment_overdue", ana.employee_id),
            ("enrollment_overdue", boss.employee_id),
        )
        for channel in (Channel.IN_APP, Channel.EMAIL)
    )
    assert found == expected


def test_an_org_unit_default_reaches_its_sub_units_and_an_own_choice_wins(
    sync_session: Session,
) -> None:
    default(sync_session, Frequency.DAILY)
    default(sync_session, Frequency.WEEKLY, org_unit_code="Engineering")
    default(
        sync_session, Frequency.OFF, org_unit_code="Engineering / Platform", channel=Channel.IN_APP
    )
    sre = hire_in(sync_session, "Sam Sre", org_unit_code="Engineering / Platform / SRE")
    sales = hire_in(sync_session, "Sol Sales", org_unit_code="Sales")
    chooser = hire_in(sync_session, "Cy Chooser", org_unit_code="Engineering / Platform")
    choose(sync_session, chooser, Frequency.IMMEDIATELY, channel=Channel.EMAIL)
    for who in (sre, sales, chooser):
        deliver(sync_session, assigned_for(who, "manager"), service="learning")

    by_person = {
        (r.recipient_id, r.channel): (r.status, r.digest) for r in deliveries(sync_session)
    }
    assert by_person == {
        (sre.employee_id, Channel.EMAIL): (DeliveryStatus.DIGEST, "weekly"),
        (sales.employee_id, Channel.EMAIL): (DeliveryStatus.DIGEST, "daily"),
        (sales.employee_id, Channel.IN_APP): (DeliveryStatus.SENT, None),
        (chooser.employee_id, Channel.EMAIL): (DeliveryStatus.PENDING, None),
    }
