"""The recommender's `recommendation.issued` reaches the employee's manager: one notice
per report and batch however many recommendations a refit issues, never a successor
suggestion, never the terminated, and only once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_contracts.recommender import RecommendationIssued, RecommendationKind
from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.consumers import registry
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Audience, Channel, DeliveryStatus
from talent_notifier.preferences.models import Category, Frequency
from talent_notifier.webhooks.delivery import deliver_webhooks
from talent_notifier.webhooks.signing import new_secret
from talent_platform.events import Envelope

from ..factories import deliver, deliveries, hire, terminate
from ..notifications.test_email import settings_for
from ..preferences.factories import choose
from ..webhooks.receiver import Receiver, register
from ..webhooks.test_delivery import settings as webhook_settings


def issued(
    employee: EmployeeSnapshot,
    course: str | None,
    *,
    model_version: int | None = 7,
    kind: RecommendationKind = "course",
) -> RecommendationIssued:
    return RecommendationIssued(
        recommendation_id=uuid.uuid4(),
        kind=kind,
        employee_id=employee.employee_id,
        course_code=course,
        key_role_id=uuid.uuid4() if kind == "successor" else None,
        score=0.8,
        model_version=model_version,
        reasons=("closes the gap in data-privacy",),
        issued_at=dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC),
    )


def refit(session: Session, *events: RecommendationIssued) -> list[Envelope]:
    """Events handled in one consumer batch, as a refit's burst arrives."""
    envelopes = [Envelope.for_payload(e, service="recommender") for e in events]
    registry.apply(session, list(zip(events, envelopes, strict=True)))
    return envelopes


def test_a_refit_makes_one_notice_per_report_for_their_manager(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    ben = hire(sync_session, "Ben Ode", manager=boss)
    for_ana = [issued(ana, code) for code in ("PRIV-200", "SEC-101", "LEAD-300")]
    for_ben = [issued(ben, code) for code in ("SQL-110", "PY-120")]
    refit(sync_session, *for_ana, *for_ben)

    rows = [r for r in deliveries(sync_session) if r.channel == Channel.IN_APP]
    assert {(r.recipient_id, r.audience, r.subject_employee_id) for r in rows} == {
        (boss.employee_id, Audience.MANAGER, ana.employee_id),
        (boss.employee_id, Audience.MANAGER, ben.employee_id),
    }
    about_ana = next(r for r in rows if r.subject_employee_id == ana.employee_id)
    assert about_ana.kind == "team_recommendations"
    assert about_ana.data == {
        "batch": "model-7",
        "recommendation_ids": [str(e.recommendation_id) for e in for_ana],
        "course_codes": ["PRIV-200", "SEC-101", "LEAD-300"],
    }
    assert len(deliveries(sync_session)) == 4  # in-app and email, per report

    # More of the same refit later, or the same events again: nothing new.
    refit(sync_session, issued(ana, "OPS-400"))
    refit(sync_session, *for_ana)
    assert len(deliveries(sync_session)) == 4

    # The next refit is news again.
    refit(sync_session, issued(ana, "OPS-400", model_version=8))
    assert len(deliveries(sync_session)) == 6


def test_recommendations_without_a_model_version_coalesce_per_day(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    refit(sync_session, issued(ana, "PRIV-200", model_version=None))
    refit(sync_session, issued(ana, "SEC-101", model_version=None))
    [row] = [r for r in deliveries(sync_session) if r.channel == Channel.IN_APP]
    assert row.data["batch"] == "day-2026-05-04"


def test_successor_suggestions_reach_no_one(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    refit(sync_session, issued(ana, None, kind="successor"))
    assert deliveries(sync_session) == []


def test_the_terminated_hear_nothing_about_recommendations(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    gone = hire(sync_session, "Gus Gone", manager=boss)
    terminate(sync_session, gone)
    refit(sync_session, issued(gone, "PRIV-200"))
    assert deliveries(sync_session) == []

    terminate(sync_session, boss)
    refit(sync_session, issued(ana, "PRIV-200"))
    assert deliveries(sync_session) == []

    # Nobody known to the projection: no manager to tell.
    stranger = hire(sync_session, "Sam Stray")
    refit(sync_session, issued(stranger, "PRIV-200"))
    assert deliveries(sync_session) == []


def test_a_redelivered_recommendation_creates_nothing_new(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    event = issued(ana, "PRIV-200")
    envelope = deliver(sync_session, event, service="recommender")
    first = {r.id for r in deliveries(sync_session)}
    deliver(sync_session, event, service="recommender", envelope=envelope)
    assert {r.id for r in deliveries(sync_session)} == first
    assert len(first) == 2


def test_recommendations_preferences_apply(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    choose(
        sync_session, boss, Frequency.OFF, channel=Channel.EMAIL, category=Category.RECOMMENDATIONS
    )
    choose(sync_session, boss, Frequency.OFF, channel=Channel.IN_APP, category=Category.REVIEWS)
    refit(sync_session, issued(ana, "PRIV-200"))
    assert {(r.channel, r.status) for r in deliveries(sync_session)} == {
        (Channel.IN_APP, DeliveryStatus.SENT)
    }


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(secret=new_secret())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_a_recommendations_webhook_gets_one_post_per_report(
    sync_session: Session, receiver: Receiver
) -> None:
    hook = register(
        sync_session, receiver.url, secret=receiver.secret, categories=["recommendations"]
    )
    register(sync_session, receiver.url + "/reviews", categories=["reviews"])
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana <Lima>", manager=boss)
    refit(sync_session, issued(ana, "PRIV-200"), issued(ana, "SEC-101"))

    [row] = [r for r in deliveries(sync_session) if r.channel == Channel.WEBHOOK]
    assert row.recipient_id == hook.id
    assert deliver_webhooks(sync_session, webhook_settings(), now=dt.datetime.now(dt.UTC)).sent == 1
    [received] = receiver.received
    assert received.verified
    assert received.json["data"]["kind"] == "TEAM_RECOMMENDATIONS"
    assert received.json["text"] == (
        "New recommended development actions for Ana &lt;Lima&gt;: PRIV-200, SEC-101."
    )


def test_the_manager_gets_one_email_listing_the_courses(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana <Lima>", manager=boss)
    refit(sync_session, *(issued(ana, code) for code in ("PRIV-200", "SEC-101", "LEAD-300")))

    run = deliver_email(sync_session, settings_for(mail_catcher), now=dt.datetime.now(dt.UTC))
    assert run.sent == 1
    [mail] = mail_catcher.messages()
    assert mail.to == [boss.email]
    assert mail.subject == "3 recommended development actions for Ana <Lima>"
    assert "Ana <Lima>, who reports to you, has new recommended development actions:" in mail.text
    assert [line for line in mail.text.splitlines() if line.startswith("- ")] == [
        "- the course PRIV-200",
        "- the course SEC-101",
        "- the course LEAD-300",
    ]
    assert "Ana &lt;Lima&gt;" in mail.html
    assert "because of your team's development in Talent" in mail.text
