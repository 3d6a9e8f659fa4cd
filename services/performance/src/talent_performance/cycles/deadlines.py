"""The worker's deadline sweep: `review.due_soon` and `review.overdue`, each once.

For every running cycle whose current phase is about a kind of review (self review, peer
feedback, manager review, sign-off), the reviews still pending get a due-soon notice
when the phase deadline is at most `due_soon_days` away and an overdue notice once it
has passed. `review_notice` remembers what was sent (inserted with ON CONFLICT DO
NOTHING, in the same transaction as the outbox rows), so a notice goes out once even if
sweeps overlap.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.performance import ReviewDueSoon, ReviewOverdue
from talent_performance.cycles.models import CyclePhaseDeadline, ReviewCycle
from talent_performance.cycles.service import pending_of
from talent_performance.db import outbox
from talent_performance.reviews.models import Review, ReviewNotice

log = logging.getLogger(__name__)
TRACKED_PHASES = ("self_review", "peer_feedback", "manager_review", "sign_off")


def sweep_deadlines(session: Session, *, today: dt.date, due_soon_days: int) -> int:
    """Queue the notices due today; returns how many events were queued."""
    running = session.execute(
        select(ReviewCycle, CyclePhaseDeadline.due_on)
        .join(
            CyclePhaseDeadline,
            (CyclePhaseDeadline.cycle_id == ReviewCycle.id)
            & (CyclePhaseDeadline.phase == ReviewCycle.phase),
        )
        .where(ReviewCycle.status == "active", ReviewCycle.phase.in_(TRACKED_PHASES))
    ).all()
    queued = 0
    for cycle, due_on in running:
        assert cycle.phase is not None
        if today > due_on:
            notice = "overdue"
        elif (due_on - today).days <= due_soon_days:
            notice = "due_soon"
        else:
            continue
        kind, pending = pending_of(cycle.phase)
        # The notices recorded now and their reviews in one statement (a data-modifying
        # CTE): a cycle of 100,000 reviews would not fit the driver's 65,535 parameters
        # as a list of ids.
        sent = (
            insert(ReviewNotice)
            .from_select(
                ["review_id", "phase", "notice", "sent_at"],
                select(Review.id, literal(cycle.phase), literal(notice), func.now()).where(
                    Review.cycle_id == cycle.id, Review.kind == kind, Review.status.in_(pending)
                ),
            )
            .on_conflict_do_nothing()
            .returning(ReviewNotice.review_id)
            .cte("sent")
        )
        reviews = session.execute(
            select(Review.id, Review.employee_id, Review.reviewer_id)
            .join(sent, sent.c.review_id == Review.id)
            .order_by(Review.id)
        ).all()
        if not reviews:
            continue
        event_type = ReviewOverdue if notice == "overdue" else ReviewDueSoon
        outbox.add(
            session,
            *(
                event_type(
                    review_id=review_id,
                    cycle_id=cycle.id,
                    cycle_code=cycle.code,
                    employee_id=employee_id,
                    reviewer_id=reviewer_id,
                    kind=kind,
                    phase=cycle.phase,
                    due_on=due_on,
                )
                for review_id, employee_id, reviewer_id in reviews
            ),
        )
        queued += len(reviews)
        log.info(
            "deadline notices queued",
            extra={"cycle": cycle.code, "notice": notice, "count": len(reviews)},
        )
    return queued
