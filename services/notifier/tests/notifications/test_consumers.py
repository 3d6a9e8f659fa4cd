"""Learning's events become ledger rows: who, on which channel, and only once."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from talent_contracts.learning import CertificationExpiring, EnrollmentDueSoon
from talent_contracts.people import EmployeeTransferred
from talent_notifier.notifications.messages import render
from talent_notifier.notifications.models import (
    Audience,
    Channel,
    DeliveryStatus,
    NotificationKind,
)

from ..factories import assigned, deliver, deliveries, hire, overdue, snapshot, terminate


def test_an_assignment_lands_in_the_inbox_and_waits_as_email(sync_session: Session) -> None:
    ana = hire(sync_session, "Ana Lima")
    event = assigned(ana)
    deliver(sync_session, event, service="learning")

    rows = deliveries(sync_session)
    assert [(r.recipient_id, r.channel, r.status) for r in rows] == [
        (ana.employee_id, Channel.EMAIL, DeliveryStatus.PENDING),
        (ana.employee_id, Channel.IN_APP, DeliveryStatus.SENT),
    ]
    assert rows[0].kind == "enrollment_assigned"
    assert rows[0].data["course_code"] == "SEC-101"
    assert rows[0].data["due_on"] == "2026-03-31"
    assert rows[0].next_attempt_at is not None


def test_an_assignment_says_who_assigned_it_unless_it_was_themself(sync_session: Session) -> None:
    boss = hire(sync_session, "Mo Mid")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    by_boss = assigned(ana).model_copy(update={"assigned_by": boss.employee_id})
    by_herself = assigned(ana, course="PY-200").model_copy(update={"assigned_by": ana.employee_id})
    deliver(sync_session, by_boss, service="learning")
    deliver(sync_session, by_herself, service="learning")

    by_course = {r.data["course_code"]: r for r in deliveries(sync_session) if r.channel == "email"}
    assert by_course["SEC-101"].data["assigned_by_name"] == "Mo Mid"
    assert "assigned_by_name" not in by_course["PY-200"].data
    mail = render(
        NotificationKind.ENROLLMENT_ASSIGNED,
        by_course["SEC-101"].data,
        audience=Audience.EMPLOYEE,
        recipient_name="Ana Lima",
        about_name="Ana Lima",
        preferences_url="http://127.0.0.1:4000/preferences",
    )
    assert "The course SEC-101 was assigned to you by Mo Mid (compliance)." in mail.text


def test_overdue_reaches_the_employee_and_the_manager_they_have_now(sync_session: Session) -> None:
    old_boss = hire(sync_session, "Old Boss")
    new_boss = hire(sync_session, "New Boss")
    ana = hire(sync_session, "Ana Lima", manager=old_boss)
    event = overdue(ana)  # names the old manager
    moved = ana.model_copy(update={"manager_id": new_boss.employee_id})
    deliver(
        sync_session,
        EmployeeTransferred(
            employee_id=ana.employee_id,
            employee=moved,
            previous_manager_id=old_boss.employee_id,
            previous_job_profile_code=ana.job_profile_code,
            effective_on=ana.hire_date,
        ),
        service="people",
    )
    deliver(sync_session, event, service="learning")

    recipients = {(r.recipient_id, r.audience, r.channel) for r in deliveries(sync_session)}
    assert recipients == {
        (ana.employee_id, "employee", "email"),
        (ana.employee_id, "employee", "in_app"),
        (new_boss.employee_id, "manager", "email"),
        (new_boss.employee_id, "manager", "in_app"),
    }
    assert all(r.subject_employee_id == ana.employee_id for r in deliveries(sync_session))


def test_a_redelivered_event_creates_nothing_new(sync_session: Session) -> None:
    boss = hire(sync_session, "Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    event = overdue(ana)
    envelope = deliver(sync_session, event, service="learning")
    first = {r.id for r in deliveries(sync_session)}
    deliver(sync_session, event, service="learning", envelope=envelope)
    assert {r.id for r in deliveries(sync_session)} == first
    assert len(first) == 4


def test_the_terminated_hear_nothing(sync_session: Session) -> None:
    boss = hire(sync_session, "Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    terminate(sync_session, boss)
    deliver(sync_session, overdue(ana), service="learning")
    assert {r.recipient_id for r in deliveries(sync_session)} == {ana.employee_id}

    terminate(sync_session, ana)
    before = len(deliveries(sync_session))
    deliver(sync_session, assigned(ana), service="learning")
    assert len(deliveries(sync_session)) == before


def test_reminders_and_expiring_certifications_say_their_dates(sync_session: Session) -> None:
    ana = hire(sync_session, "Ana Lima")
    deliver(
        sync_session,
        EnrollmentDueSoon(
            enrollment_id=uuid.uuid4(),
            employee_id=ana.employee_id,
            course_code="SEC-101",
            due_on=dt.date(2026, 3, 31),
            manager_id=None,
        ),
        service="learning",
    )
    deliver(
        sync_session,
        CertificationExpiring(
            completion_id=uuid.uuid4(),
            employee_id=ana.employee_id,
            course_code="FIRST-AID",
            completed_on=dt.date(2024, 4, 1),
            valid_until=dt.date(2026, 4, 1),
            manager_id=None,
        ),
        service="learning",
    )
    emails = {r.kind: r.data for r in deliveries(sync_session) if r.channel == Channel.EMAIL}
    assert emails["enrollment_due_soon"]["due_on"] == "2026-03-31"
    assert emails["certification_expiring"]["valid_until"] == "2026-04-01"
    assert emails["certification_expiring"]["course_code"] == "FIRST-AID"


def test_an_employee_not_projected_yet_still_gets_it(sync_session: Session) -> None:
    # Learning's event overtook people's hire (they travel on different topics).
    ana = snapshot("Ana Lima")
    deliver(sync_session, assigned(ana), service="learning")
    assert {(r.recipient_id, r.channel) for r in deliveries(sync_session)} == {
        (ana.employee_id, "email"),
        (ana.employee_id, "in_app"),
    }
