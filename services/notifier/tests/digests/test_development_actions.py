"""What the weekly digests say about development: a manager's digest names each
report's top development action (the current course recommendation with the highest
score, with its reasons and the recommendation id the recommender serves) next to the
courses, certifications and reviews the report is behind on; an employee's weekly digest
lists the course recommendations issued to them that week. Real PostgreSQL and MailDev;
the recommender's and learning's events go through the worker's registry."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from talent_contracts.learning import EnrollmentCompleted
from talent_contracts.people import EmployeeSnapshot
from talent_contracts.recommender import FeedbackKind, RecommendationFeedback, RecommendationIssued
from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.digests.service import make_digests
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import NotificationKind
from talent_notifier.preferences.models import Category, Frequency

from ..factories import deliver, deliveries, overdue, terminate
from ..notifications.test_email import settings_for
from ..preferences.factories import assigned_for, choose, expiring, hire_in
from ..reviews.factories import due_soon, late
from .factories import recorded_at

UTC = dt.UTC
HOUR = 7
TUESDAY = dt.datetime(2030, 1, 8, 10, 0, tzinfo=UTC)
MONDAY = dt.datetime(2030, 1, 14, 8, 0, tzinfo=UTC)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def recommend(
    session: Session,
    employee: EmployeeSnapshot,
    course: str,
    *,
    score: float,
    model_version: int | None = 3,
    reasons: tuple[str, ...] = ("closes the gap in data-privacy",),
    issued_at: dt.datetime = TUESDAY,
) -> RecommendationIssued:
    event = RecommendationIssued(
        recommendation_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{employee.employee_id}/{course}"),
        kind="course",
        employee_id=employee.employee_id,
        course_code=course,
        key_role_id=None,
        score=score,
        model_version=model_version,
        reasons=reasons,
        issued_at=issued_at,
    )
    deliver(session, event, service="recommender")
    return event


def feedback(session: Session, recommendation: RecommendationIssued, kind: FeedbackKind) -> None:
    deliver(
        session,
        RecommendationFeedback(
            feedback_id=uuid.uuid4(),
            kind=kind,
            recommendation_id=recommendation.recommendation_id,
            employee_id=recommendation.employee_id,
            course_code=recommendation.course_code,
            reason=None,
            by="learning" if kind == "accepted" else "manager",
            at=TUESDAY,
        ),
        service="recommender",
    )


def weekly(session: Session, now: dt.datetime) -> int:
    return make_digests(session, frequency=Frequency.WEEKLY, now=now, hour=HOUR).made


def manager_digest(session: Session, manager: EmployeeSnapshot) -> list[dict[str, Any]]:
    """The reports of the manager's latest weekly digest, as recorded in the ledger."""
    rows = [
        r
        for r in deliveries(session)
        if r.kind == NotificationKind.MANAGER_DIGEST and r.recipient_id == manager.employee_id
    ]
    rows.sort(key=lambda r: r.data["period"])
    return list(rows[-1].data["reports"]) if rows else []


def top_actions(session: Session, manager: EmployeeSnapshot) -> dict[str, str | None]:
    return {
        report["name"]: (report["top_action"] or {}).get("course_code")
        for report in manager_digest(session, manager)
    }


def test_a_manager_digest_lists_each_reports_top_action_with_its_reasons_and_id(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    mia = hire_in(sync_session, "Mia Costa")
    ana = hire_in(sync_session, "Ana Lima", manager=mia)
    bob = hire_in(sync_session, "Bob Stone", manager=mia)
    cai = hire_in(sync_session, "Cai Wong", manager=mia)
    hire_in(sync_session, "Dan Reis", manager=mia)  # nothing to say about Dan
    recommend(sync_session, ana, "PRIV-100", score=0.61, reasons=("a refresher",))
    best = recommend(
        sync_session,
        ana,
        "DATA-201",
        score=0.92,
        reasons=("closes the gap in data-modelling (level 2 of 4)", "<b>peers</b> took it"),
    )
    recommend(sync_session, bob, "LEAD-1", score=0.5, reasons=("first-time manager",))
    recommend(sync_session, cai, "SEC-9", score=0.99)
    deliver(sync_session, overdue(bob, course="SEC-101"), service="learning")
    terminate(sync_session, cai)
    recorded_at(sync_session, TUESDAY)

    run = make_digests(sync_session, frequency=Frequency.WEEKLY, now=MONDAY, hour=HOUR)
    assert run.manager_digests == 1
    [ana_section, bob_section] = manager_digest(sync_session, mia)
    assert ana_section["name"] == "Ana Lima"
    assert ana_section["top_action"] == {
        "recommendation_id": str(best.recommendation_id),
        "course_code": "DATA-201",
        "score": 0.92,
        "reasons": ["closes the gap in data-modelling (level 2 of 4)", "<b>peers</b> took it"],
    }
    assert bob_section["top_action"]["course_code"] == "LEAD-1"
    assert bob_section["overdue"][0]["course_code"] == "SEC-101"

    deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY)
    [digest] = [m for m in mail_catcher.messages(to=mia.email) if m.subject.startswith("Your team")]
    assert digest.subject == "Your team this week: 2 reports"
    assert (
        "Ana Lima\n- Top development action: the course DATA-201 (score 0.92)\n"
        "  because closes the gap in data-modelling (level 2 of 4)\n"
    ) in digest.text
    assert f"recommendationId {best.recommendation_id}" in digest.text
    assert "Bob Stone\n- Overdue: SEC-101, due on 2026-01-31\n- Top development action" in (
        digest.text
    )
    assert "&lt;b&gt;peers&lt;/b&gt; took it" in digest.html
    assert "<b>peers</b>" not in digest.html
    for absent in ("Cai Wong", "SEC-9", "Dan Reis", "PRIV-100"):
        assert absent not in digest.text

    # Nothing more in the same period.
    assert weekly(sync_session, MONDAY + dt.timedelta(hours=3)) == 0
    assert deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY).sent == 0


def test_a_dismissed_accepted_or_assigned_recommendation_is_not_the_top_action_any_more(
    sync_session: Session,
) -> None:
    mia = hire_in(sync_session, "Mia Costa")
    ana = hire_in(sync_session, "Ana Lima", manager=mia)
    first = recommend(sync_session, ana, "DATA-201", score=0.9)
    second = recommend(sync_session, ana, "PRIV-100", score=0.7)
    recommend(sync_session, ana, "OPS-3", score=0.5)
    recommend(sync_session, ana, "SEC-9", score=0.3)

    feedback(sync_session, first, "dismissed")
    weekly(sync_session, MONDAY)
    assert top_actions(sync_session, mia) == {"Ana Lima": "PRIV-100"}

    # Accepted (the recommender's feedback), and a course assigned without the id.
    feedback(sync_session, second, "accepted")
    deliver(sync_session, assigned_for(ana, "manager", course="OPS-3"), service="learning")
    weekly(sync_session, NEXT_MONDAY)
    assert top_actions(sync_session, mia) == {"Ana Lima": "SEC-9"}

    # Completed: no current recommendation is left, so there is nothing to say.
    deliver(
        sync_session,
        EnrollmentCompleted(
            completion_id=uuid.uuid4(),
            employee_id=ana.employee_id,
            course_code="SEC-9",
            completed_on=dt.date(2030, 1, 16),
            score=None,
            source="manual",
        ),
        service="learning",
    )
    assert weekly(sync_session, NEXT_MONDAY + dt.timedelta(days=7)) == 0


def test_a_newer_model_version_replaces_the_older_ones_even_when_replayed(
    sync_session: Session,
) -> None:
    mia = hire_in(sync_session, "Mia Costa")
    ana = hire_in(sync_session, "Ana Lima", manager=mia)
    old = recommend(sync_session, ana, "DATA-201", score=0.95, model_version=3)
    recommend(sync_session, ana, "PRIV-100", score=0.4, model_version=4)
    weekly(sync_session, MONDAY)
    assert top_actions(sync_session, mia) == {"Ana Lima": "PRIV-100"}

    # The old version's event again (a replay, or a late delivery): still superseded.
    deliver(sync_session, old, service="recommender")
    deliver(
        sync_session,
        old.model_copy(update={"recommendation_id": uuid.uuid4(), "course_code": "OLD-7"}),
        service="recommender",
    )
    weekly(sync_session, NEXT_MONDAY)
    assert top_actions(sync_session, mia) == {"Ana Lima": "PRIV-100"}


def test_a_manager_digest_says_who_is_behind_on_reviews_and_whose_certification_expires(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    mia = hire_in(sync_session, "Mia Costa")
    ana = hire_in(sync_session, "Ana Lima", manager=mia)
    bob = hire_in(sync_session, "Bob Stone", manager=mia)
    zed = hire_in(sync_session, "Zed Outsider")
    # Ana writes a peer review of someone outside the team, late; Bob's self review is
    # due soon; Bob's certification expires.
    deliver(sync_session, late(zed, reviewer=ana, kind="peer"), service="performance")
    deliver(sync_session, due_soon(bob, reviewer=None, kind="self"), service="performance")
    deliver(sync_session, expiring(bob, course="FIRE-1"), service="learning")
    recorded_at(sync_session, TUESDAY)

    assert weekly(sync_session, MONDAY) == 1
    deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY)
    [digest] = [m for m in mail_catcher.messages(to=mia.email) if m.subject.startswith("Your team")]
    assert "Ana Lima\n- Review overdue: the peer review of FY26-ANNUAL" in digest.text
    assert "Bob Stone\n- Certification expiring: FIRE-1, valid until" in digest.text
    assert "- Review due soon: the self review of FY26-ANNUAL (self_review), due on 2026-03-31" in (
        digest.text
    )
    # Whom Ana's peer review is about stays out of her manager's digest.
    assert "Zed" not in digest.text

    # A manager who turned REVIEWS email off hears only about the rest (the same news
    # dated the next week).
    choose(sync_session, mia, Frequency.OFF, category=Category.REVIEWS)
    recorded_at(sync_session, TUESDAY + dt.timedelta(days=7))
    assert weekly(sync_session, NEXT_MONDAY) == 1
    [section] = manager_digest(sync_session, mia)
    assert (section["name"], section["reviews"]) == ("Bob Stone", [])
    assert section["certifications"][0]["course_code"] == "FIRE-1"


def test_an_employee_weekly_digest_lists_their_new_recommendations_unless_off(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    ana = hire_in(sync_session, "Ana Lima")
    bob = hire_in(sync_session, "Bob Stone")
    best = recommend(sync_session, ana, "DATA-201", score=0.9, reasons=("you asked for it",))
    recommend(sync_session, ana, "OLD-1", score=0.8, issued_at=TUESDAY - dt.timedelta(days=7))
    recommend(sync_session, bob, "LEAD-1", score=0.5)
    choose(sync_session, bob, Frequency.OFF, category=Category.RECOMMENDATIONS)
    # Ana holds a weekly notice too: one digest carries both.
    choose(sync_session, ana, Frequency.WEEKLY)
    deliver(sync_session, assigned_for(ana, "manager", course="OPT-1"), service="learning")
    recorded_at(sync_session, TUESDAY)

    assert weekly(sync_session, MONDAY) == 1
    assert make_digests(sync_session, frequency=Frequency.DAILY, now=MONDAY, hour=HOUR).made == 0
    deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY)
    [digest] = mail_catcher.messages(to=ana.email)
    assert digest.subject == "Your weekly digest: 1 notification and 1 recommended course"
    assert "New course assigned: OPT-1" in digest.text
    assert (
        f"- DATA-201 (recommendation {best.recommendation_id})\n  because you asked for it"
    ) in digest.text
    assert "OLD-1" not in digest.text  # last week's news
    assert mail_catcher.messages(to=bob.email) == []

    # Once per period; the next week has nothing new.
    assert weekly(sync_session, MONDAY + dt.timedelta(hours=2)) == 0
    assert weekly(sync_session, NEXT_MONDAY) == 0


def test_new_recommendations_alone_make_a_weekly_digest_but_not_for_the_terminated(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    bob = hire_in(sync_session, "Bob Stone")
    cai = hire_in(sync_session, "Cai Wong")
    recommend(sync_session, bob, "LEAD-1", score=0.5, reasons=("first-time manager",))
    dismissed = recommend(sync_session, bob, "LEAD-2", score=0.9)
    feedback(sync_session, dismissed, "dismissed")
    recommend(sync_session, cai, "SEC-9", score=0.9)
    terminate(sync_session, cai)

    assert weekly(sync_session, MONDAY) == 1
    deliver_email(sync_session, settings_for(mail_catcher), now=MONDAY)
    [digest] = mail_catcher.messages(to=bob.email)
    assert digest.subject == "Your weekly digest: 1 recommended course"
    assert "LEAD-1" in digest.text and "because first-time manager" in digest.html
    assert "LEAD-2" not in digest.text
    assert "Here is what happened" not in digest.text
    assert mail_catcher.messages(to=cai.email) == []
