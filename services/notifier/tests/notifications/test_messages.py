"""Recipient rules, templates and the retry policy, without a database."""

from __future__ import annotations

import datetime as dt
import uuid

from talent_contracts.learning import CertificationExpiring, EnrollmentDueSoon, EnrollmentOverdue
from talent_notifier.config import NotifierSettings
from talent_notifier.notifications.ledger import retry_at
from talent_notifier.notifications.messages import email_message, render
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.recipients import Person, Recipient, recipients

EMPLOYEE = uuid.uuid4()
MANAGER = uuid.uuid4()
OTHER_MANAGER = uuid.uuid4()


def overdue(manager_id: uuid.UUID | None = OTHER_MANAGER) -> EnrollmentOverdue:
    return EnrollmentOverdue(
        enrollment_id=uuid.uuid4(),
        employee_id=EMPLOYEE,
        course_code="SEC-101",
        due_on=dt.date(2026, 1, 31),
        manager_id=manager_id,
    )


def test_an_overdue_course_goes_to_the_employee_and_their_manager_now() -> None:
    people = {
        EMPLOYEE: Person(EMPLOYEE, "active", MANAGER),
        MANAGER: Person(MANAGER, "active", None),
    }
    # The event names the manager at the time learning noticed; the projection's is newer.
    assert recipients(overdue(OTHER_MANAGER), people) == [
        Recipient(EMPLOYEE, Audience.EMPLOYEE),
        Recipient(MANAGER, Audience.MANAGER),
    ]


def test_the_events_manager_stands_in_while_the_employee_is_not_projected_yet() -> None:
    assert recipients(overdue(OTHER_MANAGER), {}) == [
        Recipient(EMPLOYEE, Audience.EMPLOYEE),
        Recipient(OTHER_MANAGER, Audience.MANAGER),
    ]


def test_nobody_terminated_hears_anything() -> None:
    terminated_employee = {EMPLOYEE: Person(EMPLOYEE, "terminated", MANAGER)}
    assert recipients(overdue(), terminated_employee) == []
    terminated_manager = {
        EMPLOYEE: Person(EMPLOYEE, "active", MANAGER),
        MANAGER: Person(MANAGER, "terminated", None),
    }
    assert recipients(overdue(), terminated_manager) == [Recipient(EMPLOYEE, Audience.EMPLOYEE)]


def test_reminders_and_expiring_certifications_go_to_the_employee_only() -> None:
    people = {EMPLOYEE: Person(EMPLOYEE, "active", MANAGER)}
    due_soon = EnrollmentDueSoon(
        enrollment_id=uuid.uuid4(),
        employee_id=EMPLOYEE,
        course_code="SEC-101",
        due_on=dt.date(2026, 1, 31),
        manager_id=MANAGER,
    )
    expiring = CertificationExpiring(
        completion_id=uuid.uuid4(),
        employee_id=EMPLOYEE,
        course_code="FIRST-AID",
        completed_on=dt.date(2024, 2, 1),
        valid_until=dt.date(2026, 2, 1),
        manager_id=MANAGER,
    )
    assert recipients(due_soon, people) == [Recipient(EMPLOYEE, Audience.EMPLOYEE)]
    assert recipients(expiring, people) == [Recipient(EMPLOYEE, Audience.EMPLOYEE)]


def test_html_escapes_what_comes_from_data_and_text_keeps_it() -> None:
    rendered = render(
        NotificationKind.ENROLLMENT_OVERDUE,
        {"course_code": "<b>SEC</b>", "due_on": "2026-01-31"},
        audience=Audience.MANAGER,
        recipient_name="Ana & Co",
        about_name="<script>x</script>",
        preferences_url="http://127.0.0.1:4000/preferences",
    )
    assert rendered.subject == "Overdue for <script>x</script>: <b>SEC</b>"
    assert "&lt;script&gt;x&lt;/script&gt;" in rendered.html
    assert "<script>" not in rendered.html
    assert "&lt;b&gt;SEC&lt;/b&gt;" in rendered.html
    assert "Ana &amp; Co" in rendered.html
    assert "<script>x</script>, who reports to you" in rendered.text
    assert "http://127.0.0.1:4000/preferences" in rendered.text
    assert 'href="http://127.0.0.1:4000/preferences"' in rendered.html


def test_an_email_has_both_bodies_and_a_list_unsubscribe_header() -> None:
    delivery_id = uuid.uuid4()
    rendered = render(
        NotificationKind.ENROLLMENT_ASSIGNED,
        {"course_code": "SEC-101", "due_on": "2026-03-31", "reason": "compliance"},
        audience=Audience.EMPLOYEE,
        recipient_name="Ana",
        about_name="Ana",
        preferences_url="https://talent.example/preferences",
    )
    message = email_message(
        rendered,
        delivery_id=delivery_id,
        to_name="Ana",
        to_address="ana@example.com",
        mail_from="Talent <n@talent.invalid>",
        preferences_url="https://talent.example/preferences",
        unsubscribe_mailto="unsubscribe@talent.invalid",
    )
    assert message["Subject"] == "New course assigned: SEC-101"
    assert message["To"] == "Ana <ana@example.com>"
    assert message["List-Unsubscribe"] == (
        "<mailto:unsubscribe@talent.invalid>, <https://talent.example/preferences>"
    )
    assert message["Message-ID"] == f"<{delivery_id}@talent-notifier>"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "text/html"]
    assert "Please complete it by 2026-03-31." in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_retries_back_off_exponentially_up_to_a_cap_then_stop() -> None:
    settings = NotifierSettings(
        environment="test", email_retry_base_s=10, email_retry_max_s=60, email_max_attempts=5
    )
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    waits = [
        retry_at(
            n,
            now=now,
            max_attempts=settings.email_max_attempts,
            base_s=settings.email_retry_base_s,
            max_s=settings.email_retry_max_s,
        )
        for n in range(1, 6)
    ]
    assert [w - now if w else None for w in waits] == [
        dt.timedelta(seconds=10),
        dt.timedelta(seconds=20),
        dt.timedelta(seconds=40),
        dt.timedelta(seconds=60),
        None,
    ]
