"""Review tasks from performance's review events, who is behind (as performance's
whoIsBehind counts it), and phase-opening notices: one per reviewer, cycle and phase,
whichever of the phase change and the reviews arrives first; never twice."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_contracts.performance import (
    CyclePhase,
    CyclePhaseChanged,
    ReviewAssigned,
    ReviewCancelled,
    ReviewKind,
    ReviewSignedOff,
    ReviewSubmitted,
)
from talent_notifier.notifications.messages import render
from talent_notifier.notifications.models import Audience, Channel, NotificationKind
from talent_notifier.reviews.models import ReviewTask
from talent_notifier.reviews.tasks import behind

from ..factories import deliver, deliveries, hire, terminate
from .factories import CYCLE_CODE, CYCLE_ID

DUE = dt.date.today() + dt.timedelta(days=14)
WRITTEN_IN: dict[str, CyclePhase] = {
    "self": "self_review",
    "manager": "manager_review",
    "peer": "peer_feedback",
}


def assign(
    employee: EmployeeSnapshot, reviewer: EmployeeSnapshot, *, kind: ReviewKind = "manager"
) -> ReviewAssigned:
    return ReviewAssigned(
        review_id=uuid.uuid4(),
        cycle_id=CYCLE_ID,
        cycle_code=CYCLE_CODE,
        employee_id=employee.employee_id,
        reviewer_id=reviewer.employee_id,
        kind=kind,
        phase=WRITTEN_IN[kind],
        due_on=DUE,
        reason="launch",
    )


def phase_changed(phase: CyclePhase, previous: CyclePhase | None = None) -> CyclePhaseChanged:
    return CyclePhaseChanged(
        cycle_id=CYCLE_ID,
        cycle_code=CYCLE_CODE,
        phase=phase,
        previous_phase=previous,
        due_on=DUE,
    )


def submit(review: ReviewAssigned) -> ReviewSubmitted:
    return ReviewSubmitted(
        review_id=review.review_id,
        cycle_id=review.cycle_id,
        cycle_code=review.cycle_code,
        employee_id=review.employee_id,
        reviewer_id=review.reviewer_id,
        kind=review.kind,
        overall_rating=3,
        submitted_at=dt.datetime.now(dt.UTC),
    )


def opened(session: Session) -> list[tuple[uuid.UUID, str]]:
    return sorted(
        (r.recipient_id, r.channel)
        for r in deliveries(session)
        if r.kind == NotificationKind.REVIEW_PHASE_OPENED
    )


def test_a_phase_opening_tells_each_reviewer_once_listing_their_employees(
    sync_session: Session,
) -> None:
    boss = hire(sync_session, "Bea Boss")
    reports = [
        hire(sync_session, name, manager=boss) for name in ("Ana Lima", "Bo Chen", "Cy Dorr")
    ]
    for report in reports:
        deliver(sync_session, assign(report, boss), service="performance")
        deliver(sync_session, assign(report, report, kind="self"), service="performance")

    event = phase_changed("manager_review", "peer_feedback")
    envelope = deliver(sync_session, event, service="performance")
    deliver(sync_session, event, service="performance", envelope=envelope)  # redelivered
    deliver(sync_session, event, service="performance")  # replayed with a new ce_id

    assert opened(sync_session) == [
        (boss.employee_id, Channel.EMAIL),
        (boss.employee_id, Channel.IN_APP),
    ]
    row = next(r for r in deliveries(sync_session) if r.kind == "review_phase_opened")
    assert row.audience == Audience.EMPLOYEE
    assert row.data["phase"] == "manager_review"
    assert row.data["due_on"] == DUE.isoformat()
    assert [e["name"] for e in row.data["employees"]] == ["Ana Lima", "Bo Chen", "Cy Dorr"]
    mail = render(
        NotificationKind.REVIEW_PHASE_OPENED,
        row.data,
        audience=Audience.EMPLOYEE,
        recipient_name="Bea Boss",
        about_name="Bea Boss",
        preferences_url="http://127.0.0.1:4000/preferences",
    )
    assert mail.subject == f"Your manager review for {CYCLE_CODE} is open, due {DUE.isoformat()}"
    assert "You have 3 manager reviews to write" in mail.text
    assert "Cy Dorr" in mail.html


def test_reviews_that_arrive_after_their_phase_opened_are_told_then(
    sync_session: Session,
) -> None:
    ana = hire(sync_session, "Ana Lima")
    ben = hire(sync_session, "Ben Ito")
    deliver(sync_session, phase_changed("self_review", "goal_setting"), service="performance")
    assert opened(sync_session) == []

    deliver(sync_session, assign(ana, ana, kind="self"), service="performance")
    deliver(sync_session, assign(ben, ben, kind="manager"), service="performance")  # not this phase

    assert opened(sync_session) == [
        (ana.employee_id, Channel.EMAIL),
        (ana.employee_id, Channel.IN_APP),
    ]
    row = next(r for r in deliveries(sync_session) if r.kind == "review_phase_opened")
    assert row.data["review_kind"] == "self"


def test_a_manager_review_submitted_after_sign_off_opened_is_told_to_sign_it_off(
    sync_session: Session,
) -> None:
    boss = hire(sync_session, "Bea Boss")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    review, other = assign(ana, boss), assign(ana, ana, kind="self")
    deliver(sync_session, phase_changed("sign_off", "calibration"), service="performance")
    # Only the submissions reach the notifier after sign-off opened (reviews made before
    # performance published review.assigned): the manager review waits to be signed off.
    deliver(sync_session, submit(other), service="performance")
    assert opened(sync_session) == []
    deliver(sync_session, submit(review), service="performance")
    first = opened(sync_session)
    deliver(sync_session, submit(review), service="performance")  # replayed

    assert first == [(boss.employee_id, Channel.EMAIL), (boss.employee_id, Channel.IN_APP)]
    assert opened(sync_session) == first  # still one notice for the phase
    row = next(r for r in deliveries(sync_session) if r.kind == "review_phase_opened")
    assert row.data["phase"] == "sign_off"


def test_no_notice_to_the_terminated_nor_for_done_reviews(sync_session: Session) -> None:
    boss = hire(sync_session, "Bea Boss")
    gone_boss = hire(sync_session, "Gil Gone")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    bo = hire(sync_session, "Bo Chen", manager=gone_boss)
    done = assign(ana, boss)
    deliver(sync_session, done, service="performance")
    deliver(sync_session, submit(done), service="performance")
    deliver(sync_session, assign(bo, gone_boss), service="performance")
    terminate(sync_session, gone_boss)

    deliver(sync_session, phase_changed("manager_review"), service="performance")

    assert opened(sync_session) == []


def test_behind_mirrors_who_is_behind_through_submission_cancellation_and_sign_off(
    sync_session: Session,
) -> None:
    boss = hire(sync_session, "Bea Boss")
    other = hire(sync_session, "Olga Other")
    ana = hire(sync_session, "Ana Lima", manager=boss)
    bo = hire(sync_session, "Bo Chen", manager=other)
    cy = hire(sync_session, "Cy Dorr", manager=other)
    ana_review, bo_review, cy_review = assign(ana, boss), assign(bo, other), assign(cy, other)
    for event in (ana_review, bo_review, cy_review):
        deliver(sync_session, event, service="performance")
    assert behind(sync_session, CYCLE_ID, "manager_review") == sorted(
        [boss.employee_id, other.employee_id]
    )

    deliver(sync_session, submit(ana_review), service="performance")
    deliver(
        sync_session,
        ReviewCancelled(
            review_id=bo_review.review_id,
            cycle_id=CYCLE_ID,
            cycle_code=CYCLE_CODE,
            employee_id=bo.employee_id,
        ),
        service="performance",
    )
    assert behind(sync_session, CYCLE_ID, "manager_review") == [other.employee_id]  # Cy's
    assert behind(sync_session, CYCLE_ID, "self_review") == []
    # In sign-off, a submitted manager review is behind until it is signed off.
    assert behind(sync_session, CYCLE_ID, "sign_off") == sorted(
        [boss.employee_id, other.employee_id]
    )
    deliver(
        sync_session,
        ReviewSignedOff(
            review_id=ana_review.review_id,
            cycle_id=CYCLE_ID,
            cycle_code=CYCLE_CODE,
            employee_id=ana.employee_id,
            reviewer_id=boss.employee_id,
            signed_off_at=dt.datetime.now(dt.UTC),
        ),
        service="performance",
    )
    assert behind(sync_session, CYCLE_ID, "sign_off") == [other.employee_id]

    # Reopened by HR: the review is its reviewer's again, with its deadline kept.
    reopened = ana_review.model_copy(update={"reason": "reopened"})
    deliver(sync_session, reopened, service="performance")
    assert behind(sync_session, CYCLE_ID, "manager_review") == sorted(
        [boss.employee_id, other.employee_id]
    )
    task = sync_session.scalars(
        select(ReviewTask).where(ReviewTask.review_id == ana_review.review_id)
    ).one()
    assert (task.status, task.due_on, task.phase) == ("draft", DUE, "manager_review")
