"""Set-based statements that create a cycle's reviews for its population, and the
operations that run them on a sync session (ADR 0007).

`create_reviews` serves launch (every employee at once: INSERT ... SELECT; the API calls
it through `run_sync`) and `adjust_running_cycles` the people-event consumer (the
employees of a batch whom a hire or transfer brings into a running cycle, or takes out of
it).

Each review created, restored or handed to a new reviewer publishes `review.assigned`,
each draft cancelled `review.cancelled` (in the same transaction, through the outbox: COPY
for a launch's thousands), so other services (the notifier) know whose review is whose
without reading performance's tables. The statements return only the rows they changed,
so a people event that changes nothing of a review publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Insert,
    Row,
    String,
    and_,
    case,
    column,
    func,
    literal,
    or_,
    select,
    text,
    true,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert, ReturningUpdate

from talent_contracts.performance import ReviewAssigned, ReviewAssignedReason, ReviewCancelled
from talent_performance.cycles.models import CyclePhaseDeadline, ReviewCycle
from talent_performance.db import outbox
from talent_performance.people.models import EmployeeProjection, JobProfileRequirement
from talent_performance.reviews.models import Review, ReviewCompetency

E = EmployeeProjection

# What the statements that create or change reviews return: what their events carry.
CHANGED = (Review.id, Review.employee_id, Review.reviewer_id, Review.kind)

# The phase in which each kind of review is written (its deadline is the review's).
WRITTEN_IN = {"self": "self_review", "peer": "peer_feedback", "manager": "manager_review"}


def in_population(cycle: ReviewCycle) -> ColumnElement[bool]:
    """Whether an employee_projection row belongs to the cycle's population."""
    clauses: list[ColumnElement[bool]] = [E.status == "active"]
    if cycle.org_unit_codes:
        clauses.append(E.org_unit_code.in_(cycle.org_unit_codes))
    if cycle.job_profile_codes:
        clauses.append(E.job_profile_code.in_(cycle.job_profile_codes))
    if cycle.hired_on_or_before is not None:
        clauses.append(E.hire_date <= cycle.hired_on_or_before)
    return and_(*clauses)


def insert_reviews(
    cycle: ReviewCycle, *, only: Collection[uuid.UUID] | None = None
) -> ReturningInsert[uuid.UUID, uuid.UUID, uuid.UUID | None, str]:
    """A self review for each employee of the population and a manager review for each
    who has a manager; existing ones are left alone."""
    kinds = values(column("kind", String), name="kinds").data([("self",), ("manager",)])
    source = (
        select(
            func.gen_random_uuid(),
            literal(cycle.id),
            E.employee_id,
            case((kinds.c.kind == "self", E.employee_id), else_=E.manager_id),
            kinds.c.kind,
            literal("draft"),
            func.now(),
            func.now(),
        )
        .select_from(E)
        .join(kinds, true())
        .where(in_population(cycle), or_(kinds.c.kind == "self", E.manager_id.is_not(None)))
    )
    if only is not None:
        source = source.where(E.employee_id.in_(only))
    return (
        insert(Review)
        .from_select(
            [
                "id",
                "cycle_id",
                "employee_id",
                "reviewer_id",
                "kind",
                "status",
                "created_at",
                "updated_at",
            ],
            source,
        )
        .on_conflict_do_nothing(
            index_elements=["cycle_id", "employee_id", "kind"],
            # Inline, as the index has it: a bound value would not match the partial
            # index once psycopg prepares the statement and PostgreSQL plans it generically.
            index_where=text("kind <> 'peer'"),
        )
        .returning(*CHANGED)
    )


def insert_review_competencies(
    cycle: ReviewCycle, *, only: Collection[uuid.UUID] | None = None
) -> Insert:
    """The competencies each self and manager review rates: the employee's job profile
    requirements."""
    source = (
        select(
            Review.id, JobProfileRequirement.competency_code, JobProfileRequirement.required_level
        )
        .join(E, E.employee_id == Review.employee_id)
        .join(JobProfileRequirement, JobProfileRequirement.job_profile_code == E.job_profile_code)
        .where(Review.cycle_id == cycle.id, Review.kind != "peer", Review.status == "draft")
    )
    if only is not None:
        source = source.where(Review.employee_id.in_(only))
    return (
        insert(ReviewCompetency)
        .from_select(["review_id", "competency_code", "required_level"], source)
        .on_conflict_do_nothing()
    )


def cancel_reviews(
    cycle: ReviewCycle, employee_ids: Collection[uuid.UUID]
) -> ReturningUpdate[uuid.UUID, uuid.UUID, uuid.UUID | None, str]:
    """The employees left the population: drafts of reviews about them are cancelled
    (submitted ones stay, as the record of what was said)."""
    return (
        update(Review)
        .where(
            Review.cycle_id == cycle.id,
            Review.employee_id.in_(employee_ids),
            Review.status == "draft",
        )
        .values(status="cancelled", updated_at=func.now())
        .returning(*CHANGED)
    )


def restore_reviews(
    cycle: ReviewCycle, employee_ids: Collection[uuid.UUID]
) -> ReturningUpdate[uuid.UUID, uuid.UUID, uuid.UUID | None, str]:
    """The employees are (back) in the population: cancelled reviews become drafts, and
    the manager review follows each employee's current manager while it is a draft."""
    current_manager = (
        select(E.manager_id)
        .where(E.employee_id == Review.employee_id)
        .correlate(Review)
        .scalar_subquery()
    )
    return (
        update(Review)
        .where(
            Review.cycle_id == cycle.id,
            Review.employee_id.in_(employee_ids),
            Review.kind != "peer",
            Review.status.in_(("draft", "cancelled")),
            # Only what changes: a cancelled review, or a manager review whose manager did.
            or_(
                Review.status == "cancelled",
                and_(
                    Review.kind == "manager",
                    Review.reviewer_id.is_distinct_from(current_manager),
                ),
            ),
        )
        .values(
            status="draft",
            reviewer_id=case((Review.kind == "manager", current_manager), else_=Review.reviewer_id),
            updated_at=func.now(),
        )
        .returning(*CHANGED)
    )


# Phases in which the population still changes; from calibration on it is fixed.
ADJUSTABLE_PHASES = ("goal_setting", "self_review", "peer_feedback", "manager_review")


def running_cycles(session: Session) -> list[ReviewCycle]:
    """Cycles whose population and reviews still follow people's changes."""
    return list(
        session.scalars(
            select(ReviewCycle).where(
                ReviewCycle.status == "active", ReviewCycle.phase.in_(ADJUSTABLE_PHASES)
            )
        ).all()
    )


def deadlines_of(session: Session, cycle: ReviewCycle) -> dict[str, dt.date]:
    rows = session.execute(
        select(CyclePhaseDeadline.phase, CyclePhaseDeadline.due_on).where(
            CyclePhaseDeadline.cycle_id == cycle.id
        )
    )
    return {phase: due_on for phase, due_on in rows}


def assigned(
    session: Session,
    cycle: ReviewCycle,
    rows: Sequence[Row[uuid.UUID, uuid.UUID, uuid.UUID | None, str]]
    | Sequence[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, str]],
    *,
    reason: ReviewAssignedReason,
) -> None:
    """Publish `review.assigned` for these reviews (rows of `CHANGED`)."""
    if not rows:
        return
    due = deadlines_of(session, cycle)
    outbox.add(
        session,
        *(
            ReviewAssigned(
                review_id=review_id,
                cycle_id=cycle.id,
                cycle_code=cycle.code,
                employee_id=employee_id,
                reviewer_id=reviewer_id,
                kind=cast(Any, kind),
                phase=cast(Any, WRITTEN_IN[kind]),
                due_on=due.get(WRITTEN_IN[kind]),
                reason=reason,
            )
            for review_id, employee_id, reviewer_id, kind in rows
        ),
    )


def create_reviews(
    session: Session,
    cycle: ReviewCycle,
    *,
    only: Collection[uuid.UUID] | None = None,
    reason: ReviewAssignedReason = "launch",
) -> None:
    """The population's (or these members') reviews and their competencies to rate; each
    new review publishes `review.assigned`."""
    created = session.execute(insert_reviews(cycle, only=only)).all()
    session.execute(insert_review_competencies(cycle, only=only))
    assigned(session, cycle, created, reason=reason)


def adjust_running_cycles(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    """After these employees changed: in every running cycle, those now in its population
    get their reviews (cancelled ones restored), those no longer in it have their drafts
    cancelled; a new manager takes over the draft manager review."""
    for cycle in running_cycles(session):
        members = set(
            session.scalars(
                select(E.employee_id).where(E.employee_id.in_(employee_ids), in_population(cycle))
            )
        )
        leavers = [e for e in employee_ids if e not in members]
        if leavers:
            cancelled = session.execute(cancel_reviews(cycle, leavers)).all()
            outbox.add(
                session,
                *(
                    ReviewCancelled(
                        review_id=review_id,
                        cycle_id=cycle.id,
                        cycle_code=cycle.code,
                        employee_id=employee_id,
                    )
                    for review_id, employee_id, _, _ in cancelled
                ),
            )
        if members:
            restored = session.execute(restore_reviews(cycle, members)).all()
            assigned(session, cycle, restored, reason="population")
            create_reviews(session, cycle, only=members, reason="population")


def add_required_competencies(session: Session, holders: Collection[uuid.UUID]) -> None:
    """Competencies a job profile now requires join its holders' draft reviews in every
    running cycle; ratings already given for dropped ones stay."""
    if not holders:
        return
    for cycle in running_cycles(session):
        session.execute(insert_review_competencies(cycle, only=holders))
