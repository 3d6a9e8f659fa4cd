"""A succession recipient's weekly digest (made by `make_digests`, sent by the email job
to a real SMTP server): the key roles still uncovered, the stale records not reviewed
since, and counts of new successor suggestions for critical roles; never a readiness
level, a potential value or a candidate's name."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from talent_contracts.recommender import RecommendationIssued
from talent_contracts.succession import PotentialAssessed, ReadinessAssessed, SuccessorNominated
from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.digests.service import make_digests
from talent_notifier.notifications.email import deliver_email
from talent_notifier.notifications.models import Channel
from talent_notifier.preferences.models import Category, Frequency

from ..factories import deliver, deliveries
from ..notifications.test_email import settings_for
from ..preferences.factories import choose, hire_in
from .factories import defined, overdue_record, recipient, uncovered

HOUR = 7


def next_monday(after: dt.datetime) -> dt.datetime:
    """A moment in the weekly period that begins on the first Monday after `after` (the
    events were handled in the week before it)."""
    days = 7 - after.weekday()
    return (after + dt.timedelta(days=days)).replace(hour=HOUR + 1, minute=0)


def suggestion(employee_id: uuid.UUID, key_role_id: uuid.UUID) -> RecommendationIssued:
    return RecommendationIssued(
        recommendation_id=uuid.uuid4(),
        kind="successor",
        employee_id=employee_id,
        course_code=None,
        key_role_id=key_role_id,
        score=0.9,
        model_version=3,
        reasons=("fits the role's competencies",),
        issued_at=dt.datetime.now(dt.UTC),
    )


def test_the_digest_lists_what_is_still_open_and_counts_suggestions_for_critical_roles(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    ana = hire_in(sync_session, "Ana Lima")
    ben = hire_in(sync_session, "Ben Ode")
    cara = hire_in(sync_session, "Cara Candidate")
    recipient(sync_session, hal)
    cfo = defined("CFO", title="Chief Financial Officer", criticality="high")
    cto = defined("CTO", title="Chief Technology Officer", criticality="high")
    coo = defined("COO", title="Chief Operating Officer", criticality="medium")
    for role in (cfo, cto, coo):
        deliver(sync_session, role, service="succession")
        deliver(sync_session, uncovered(role, successors=2), service="succession")
    # The CTO is covered again: a ready-now successor was named.
    deliver(
        sync_session,
        SuccessorNominated(
            nomination_id=uuid.uuid4(),
            key_role_id=cto.key_role_id,
            key_role_code="CTO",
            employee_id=cara.employee_id,
            readiness="ready_now",
            rank=1,
            emergency=False,
            suggestion_id=None,
            nominated_on=dt.date(2026, 6, 1),
        ),
        service="succession",
    )
    # Ana's potential assessment is stale; Ben's readiness was stale and is re-assessed.
    deliver(sync_session, overdue_record(ana, "potential"), service="succession")
    bens = overdue_record(ben, "readiness", review_by=dt.date(2026, 4, 1))
    deliver(sync_session, bens, service="succession")
    deliver(
        sync_session,
        ReadinessAssessed(
            nomination_id=bens.record_id,
            key_role_id=coo.key_role_id,
            employee_id=ben.employee_id,
            readiness="ready_1_2_years",
            assessed_on=dt.date(2026, 6, 2),
            review_by=dt.date(2027, 6, 2),
        ),
        service="succession",
    )
    # Hal's own potential is stale too: not in his digest.
    deliver(sync_session, overdue_record(hal, "potential"), service="succession")
    # Suggestions: three for the CFO (critical), two for the COO (medium: not counted).
    for role, count in ((cfo, 3), (coo, 2)):
        for _ in range(count):
            deliver(
                sync_session, suggestion(cara.employee_id, role.key_role_id), service="recommender"
            )
    handled = dt.datetime.now(dt.UTC)
    # The notices themselves went out by email as they came.
    settings = settings_for(mail_catcher)
    assert deliver_email(sync_session, settings, now=handled).sent == 5
    mail_catcher.clear()

    monday = next_monday(handled)
    run = make_digests(sync_session, frequency=Frequency.WEEKLY, now=monday, hour=HOUR)
    assert run.succession_digests == 1
    again = make_digests(sync_session, frequency=Frequency.WEEKLY, now=monday, hour=HOUR)
    assert again.succession_digests == 0
    [digest] = [r for r in deliveries(sync_session) if r.kind == "succession_digest"]
    assert (digest.recipient_id, digest.channel) == (hal.employee_id, Channel.EMAIL)
    assert [r["code"] for r in digest.data["uncovered"]] == ["CFO", "COO"]
    assert digest.data["stale"] == [
        {"record": "potential assessment", "name": "Ana Lima", "review_by": "2026-05-01"}
    ]
    assert digest.data["suggestions"] == [
        {"code": "CFO", "title": "Chief Financial Officer", "count": 3}
    ]

    assert deliver_email(sync_session, settings, now=monday).sent == 1
    [mail] = mail_catcher.messages(to=hal.email)
    assert mail.subject == (
        "Succession this week: 2 uncovered key roles, 1 stale record, 3 new successor suggestions"
    )
    assert "CFO (Chief Financial Officer), criticality HIGH: 2 successors named" in mail.text
    assert "The potential assessment of Ana Lima, due for review on 2026-05-01" in mail.text
    assert "CFO (Chief Financial Officer): 3 new suggestions" in mail.text
    for text in (mail.text, mail.html):
        assert "CTO" not in text and "Ben Ode" not in text
        # No candidate, no readiness level, no potential value.
        assert "Cara Candidate" not in text
        for level in ("ready_now", "ready now", "1-2 years", "ready_1_2_years", "potential: "):
            assert level not in text


def test_a_potential_assessed_again_leaves_the_digest_and_nothing_open_means_no_digest(
    sync_session: Session,
) -> None:
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    ana = hire_in(sync_session, "Ana Lima")
    recipient(sync_session, hal)
    deliver(sync_session, overdue_record(ana, "potential"), service="succession")
    deliver(
        sync_session,
        PotentialAssessed(
            assessment_id=uuid.uuid4(),
            employee_id=ana.employee_id,
            potential="high",
            assessed_on=dt.date(2026, 6, 1),
            assessor_id=None,
            review_by=dt.date(2027, 6, 1),
        ),
        service="succession",
    )
    monday = next_monday(dt.datetime.now(dt.UTC))
    run = make_digests(sync_session, frequency=Frequency.WEEKLY, now=monday, hour=HOUR)
    assert run.succession_digests == 0
    assert [r.kind for r in deliveries(sync_session) if r.kind == "succession_digest"] == []


def test_succession_notices_held_for_a_weekly_digest_keep_their_titles(
    sync_session: Session, mail_catcher: MailCatcher
) -> None:
    hal = hire_in(sync_session, "Hal Leader", org_unit_code="HR")
    ana = hire_in(sync_session, "Ana Lima")
    recipient(sync_session, hal)
    choose(sync_session, hal, Frequency.WEEKLY, category=Category.SUCCESSION)
    deliver(
        sync_session,
        uncovered(defined("CFO", title="Chief Financial Officer")),
        service="succession",
    )
    deliver(sync_session, overdue_record(ana, "plan"), service="succession")
    monday = next_monday(dt.datetime.now(dt.UTC))
    make_digests(sync_session, frequency=Frequency.WEEKLY, now=monday, hour=HOUR)

    assert deliver_email(sync_session, settings_for(mail_catcher), now=monday).sent == 2
    subjects = sorted(m.subject for m in mail_catcher.messages(to=hal.email))
    assert subjects == [
        "Succession this week: 1 uncovered key role, 1 stale record",
        "Your weekly digest: 2 notifications",
    ]
    [held] = [m for m in mail_catcher.messages(to=hal.email) if m.subject.startswith("Your")]
    assert (
        "Key role CFO (criticality HIGH) has no ready-now successor; 1 successor named" in held.text
    )
    assert "The development plan of Ana Lima was due for review on 2026-05-01" in held.text
