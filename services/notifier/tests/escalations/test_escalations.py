"""The escalation job: a week after a course or review deadline, the manager of the
manager of whoever is still behind hears once; nothing for what was done since, nothing
about or to someone terminated."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from talent_notifier.escalations.service import escalate
from talent_notifier.notifications.messages import subject_of
from talent_notifier.notifications.models import Audience, Delivery, NotificationKind

from ..factories import deliver, deliveries, hire, overdue, terminate
from ..reviews.test_phases import DUE, assign, phase_changed, submit

COURSE_DUE = dt.date(2026, 1, 31)  # what `overdue` says


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def escalated(session: Session) -> list[Delivery]:
    return [r for r in deliveries(session) if r.audience == Audience.ESCALATION]


def test_an_overdue_course_reaches_the_managers_manager_a_week_later_once(
    sync_session: Session,
) -> None:
    boss = hire(sync_session, "Bea Boss")
    mid = hire(sync_session, "Mo Mid", manager=boss)
    ana = hire(sync_session, "Ana Lima", manager=mid)
    deliver(sync_session, overdue(ana), service="learning")

    assert escalate(sync_session, now=at(COURSE_DUE + dt.timedelta(days=6))).courses == 0
    assert escalated(sync_session) == []

    run = escalate(sync_session, now=at(COURSE_DUE + dt.timedelta(days=7)))

    rows = escalated(sync_session)
    assert run.courses == 1
    assert sorted((r.recipient_id, r.channel, r.kind) for r in rows) == sorted(
        (boss.employee_id, channel, NotificationKind.ENROLLMENT_OVERDUE)
        for channel in ("in_app", "email")
    )
    assert {r.subject_employee_id for r in rows} == {ana.employee_id}
    assert (
        subject_of(
            NotificationKind.ENROLLMENT_OVERDUE,
            rows[0].data,
            audience=Audience.ESCALATION,
            about_name="Ana Lima",
        )
        == "Overdue for Ana Lima: SEC-101"
    )
    escalate(sync_session, now=at(COURSE_DUE + dt.timedelta(days=9)))  # a later run
    assert len(escalated(sync_session)) == 2


def test_no_escalation_without_a_managers_manager_or_for_the_terminated(
    sync_session: Session,
) -> None:
    mid = hire(sync_session, "Mo Mid")  # no manager above
    ana = hire(sync_session, "Ana Lima", manager=mid)
    boss = hire(sync_session, "Bea Boss")
    bo = hire(sync_session, "Bo Berg", manager=hire(sync_session, "Ma Mid", manager=boss))
    deliver(sync_session, overdue(ana), service="learning")
    deliver(sync_session, overdue(bo), service="learning")
    terminate(sync_session, bo)

    run = escalate(sync_session, now=at(COURSE_DUE + dt.timedelta(days=30)))

    assert run.courses == 0 and escalated(sync_session) == []


def test_a_draft_review_a_week_past_its_deadline_reaches_the_reviewers_managers_manager(
    sync_session: Session,
) -> None:
    top = hire(sync_session, "Tea Top")
    boss = hire(sync_session, "Bea Boss", manager=top)  # heard at the deadline
    mid = hire(sync_session, "Mo Mid", manager=boss)  # the reviewer
    ana = hire(sync_session, "Ana Lima", manager=mid)
    ben = hire(sync_session, "Ben Ruiz", manager=mid)
    for_ana, for_ben = assign(ana, mid), assign(ben, mid)
    deliver(sync_session, for_ana, service="performance")
    deliver(sync_session, for_ben, service="performance")
    deliver(sync_session, phase_changed("manager_review"), service="performance")
    deliver(sync_session, submit(for_ben), service="performance")

    assert escalate(sync_session, now=at(DUE + dt.timedelta(days=6))).reviews == 0
    run = escalate(sync_session, now=at(DUE + dt.timedelta(days=7)))

    rows = escalated(sync_session)
    assert run.reviews == 1
    assert {(r.recipient_id, r.kind) for r in rows} == {
        (top.employee_id, NotificationKind.REVIEW_OVERDUE)
    }
    # It names the reviewer who is behind, never whom the review is about.
    assert {r.subject_employee_id for r in rows} == {mid.employee_id}
    assert str(ana.employee_id) not in str(rows[0].data)

    deliver(sync_session, submit(for_ana), service="performance")
    escalate(sync_session, now=at(DUE + dt.timedelta(days=8)))
    assert len(escalated(sync_session)) == 2  # nothing new: done, and told once anyway
