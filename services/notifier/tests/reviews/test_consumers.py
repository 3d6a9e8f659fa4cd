"""Performance's events become review notices: who hears what, only once, never the
terminated, and a release that says no more than "your review is available"."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from talent_notifier.notifications.models import Audience, Channel, DeliveryStatus

from ..factories import deliver, deliveries, hire, terminate
from .factories import CYCLE_CODE, CYCLE_ID, calibrated, due_soon, late, released, submitted


def heard(session: Session) -> set[tuple[uuid.UUID, str, str]]:
    """(recipient, audience, kind) of the in-app rows."""
    return {
        (r.recipient_id, r.audience, r.kind)
        for r in deliveries(session)
        if r.channel == Channel.IN_APP
    }


def test_a_review_due_soon_reaches_the_reviewer_only(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    deliver(sync_session, due_soon(ana, reviewer=boss), service="performance")

    rows = deliveries(sync_session)
    assert [(r.recipient_id, r.channel, r.status) for r in rows] == [
        (boss.employee_id, Channel.EMAIL, DeliveryStatus.PENDING),
        (boss.employee_id, Channel.IN_APP, DeliveryStatus.SENT),
    ]
    assert {r.subject_employee_id for r in rows} == {ana.employee_id}
    assert rows[0].kind == "review_due_soon"
    assert rows[0].data == {
        "review_id": rows[0].data["review_id"],
        "cycle_id": str(CYCLE_ID),
        "cycle_code": CYCLE_CODE,
        "review_kind": "manager",
        "phase": "manager_review",
        "due_on": "2026-03-31",
    }


def test_a_self_review_without_a_named_reviewer_reaches_the_employee(
    sync_session: Session,
) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    deliver(sync_session, due_soon(ana, reviewer=None, kind="self"), service="performance")
    assert heard(sync_session) == {(ana.employee_id, Audience.EMPLOYEE, "review_due_soon")}

    # A peer review without a reviewer has no one to remind.
    deliver(sync_session, due_soon(ana, reviewer=None, kind="peer"), service="performance")
    assert len(deliveries(sync_session)) == 2


def test_an_overdue_review_reaches_the_reviewer_and_their_manager(sync_session: Session) -> None:
    director = hire(sync_session, "Dora Director")
    boss = hire(sync_session, "Bea Boss", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    deliver(sync_session, late(ana, reviewer=boss), service="performance")

    assert heard(sync_session) == {
        (boss.employee_id, Audience.EMPLOYEE, "review_overdue"),
        (director.employee_id, Audience.MANAGER, "review_overdue"),
    }
    about = {r.recipient_id: r.subject_employee_id for r in deliveries(sync_session)}
    # The reviewer reads whose review it is; their manager reads who is behind.
    assert about == {boss.employee_id: ana.employee_id, director.employee_id: boss.employee_id}


def test_a_review_long_overdue_escalates_to_the_managers_manager(sync_session: Session) -> None:
    chief = hire(sync_session, "Cleo Chief")
    director = hire(sync_session, "Dora Director", manager=chief)
    boss = hire(sync_session, "Bea Boss", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    long_ago = dt.date.today() - dt.timedelta(days=30)
    deliver(sync_session, late(ana, reviewer=boss, due_on=long_ago), service="performance")

    assert heard(sync_session) == {
        (boss.employee_id, Audience.EMPLOYEE, "review_overdue"),
        (director.employee_id, Audience.MANAGER, "review_overdue"),
        (chief.employee_id, Audience.ESCALATION, "review_overdue"),
    }


def test_a_review_just_overdue_does_not_escalate(sync_session: Session) -> None:
    chief = hire(sync_session, "Cleo Chief")
    director = hire(sync_session, "Dora Director", manager=chief)
    boss = hire(sync_session, "Bea Boss", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    deliver(sync_session, late(ana, reviewer=boss), service="performance")
    assert chief.employee_id not in {r.recipient_id for r in deliveries(sync_session)}


def test_the_terminated_hear_nothing_about_reviews(sync_session: Session) -> None:
    chief = hire(sync_session, "Cleo Chief")
    director = hire(sync_session, "Dora Director", manager=chief)
    boss = hire(sync_session, "Bea Boss", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    terminate(sync_session, director)
    long_ago = dt.date.today() - dt.timedelta(days=30)
    deliver(sync_session, late(ana, reviewer=boss, due_on=long_ago), service="performance")
    assert heard(sync_session) == {
        (boss.employee_id, Audience.EMPLOYEE, "review_overdue"),
        (chief.employee_id, Audience.ESCALATION, "review_overdue"),
    }

    terminate(sync_session, boss)
    deliver(sync_session, late(ana, reviewer=boss), service="performance")
    deliver(sync_session, due_soon(ana, reviewer=boss), service="performance")
    assert len(heard(sync_session)) == 2

    # Nobody is chased for a review of someone who left.
    eve = hire(sync_session, "Eve Ito", manager=chief)
    terminate(sync_session, ana)
    deliver(sync_session, due_soon(ana, reviewer=eve), service="performance")
    assert eve.employee_id not in {r.recipient_id for r in deliveries(sync_session)}


def test_a_redelivered_review_event_creates_nothing_new(sync_session: Session) -> None:
    director = hire(sync_session, "Dora Director")
    boss = hire(sync_session, "Bea Boss", manager=director)
    ana = hire(sync_session, "Ana Lima", manager=boss)
    event = late(ana, reviewer=boss)
    envelope = deliver(sync_session, event, service="performance")
    first = {r.id for r in deliveries(sync_session)}
    deliver(sync_session, event, service="performance", envelope=envelope)
    assert {r.id for r in deliveries(sync_session)} == first
    assert len(first) == 4


def test_a_release_tells_each_reviewed_employee_without_a_rating(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    ben = hire(sync_session, "Ben Ode", manager=boss)
    gone = hire(sync_session, "Gus Gone", manager=boss)
    outsider = hire(sync_session, "Olga Out", manager=boss)
    deliver(sync_session, submitted(ana, reviewer=boss, rating=5), service="performance")
    deliver(sync_session, calibrated(ben, rating=2), service="performance")
    deliver(sync_session, submitted(gone, reviewer=boss, rating=3), service="performance")
    terminate(sync_session, gone)
    assert deliveries(sync_session) == []  # submitting and calibrating tell no one

    event = released()
    envelope = deliver(sync_session, event, service="performance")
    assert heard(sync_session) == {
        (ana.employee_id, Audience.EMPLOYEE, "review_released"),
        (ben.employee_id, Audience.EMPLOYEE, "review_released"),
    }
    assert outsider.employee_id not in {r.recipient_id for r in deliveries(sync_session)}
    for row in deliveries(sync_session):
        assert row.subject_employee_id == row.recipient_id
        assert row.data == {
            "cycle_id": str(CYCLE_ID),
            "cycle_code": CYCLE_CODE,
            "released_on": "2026-04-10",
        }

    first = {r.id for r in deliveries(sync_session)}
    deliver(sync_session, event, service="performance", envelope=envelope)
    assert {r.id for r in deliveries(sync_session)} == first

    # Another cycle's release reaches no one of this one.
    deliver(sync_session, released(uuid.uuid4()), service="performance")
    assert {r.id for r in deliveries(sync_session)} == first
