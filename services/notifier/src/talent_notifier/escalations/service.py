"""Escalations: a week after a deadline passed, the manager of the manager of someone
still behind hears about it (issue 17: "overdue (to the employee and their manager, then
the escalation manager)").

Learning and performance publish `enrollment.overdue` and `review.overdue` once, when
the deadline passes, so the escalation cannot come from an event: it comes from what the
notifier keeps. The worker's escalation job (`escalate`, one replica at a time) looks at

- the enrollments learning reported overdue and did not complete, waive or cancel since
  (`overdue_enrollment`): the employee's manager's manager;
- the reviews still a draft in their cycle's current phase (`review_task`,
  `review_cycle_state`): the reviewer's manager's manager;

once `ESCALATION_DAYS` have passed since the due date, each once (the ledger key is
derived from the enrollment or review: a later run makes nothing new). Nobody
terminated is written to or about, and nobody hears twice about one thing (an escalation
manager who is the employee or their manager is skipped)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent_notifier.announcements.models import OverdueEnrollment
from talent_notifier.notifications.ledger import people_by_id
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.outgoing import Outgoing, record
from talent_notifier.notifications.recipients import TERMINATED, Person
from talent_notifier.reviews.models import CycleState, ReviewTask
from talent_notifier.reviews.recipients import ESCALATION_DAYS

ESCALATION_NAMESPACE = uuid.UUID("0b8f6d0e-52a4-4f0b-9d77-3f1e6c2a9b41")
"""Escalation ids are uuid5 names in this namespace: one per enrollment or review."""


@dataclass
class EscalationRun:
    courses: int = 0
    """Escalations of overdue courses recorded by this run."""
    reviews: int = 0
    """Escalations of overdue reviews recorded by this run."""


def _active(person: Person | None) -> bool:
    return person is not None and person.status != TERMINATED


def _above(
    person_id: uuid.UUID, people: dict[uuid.UUID, Person]
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(manager, manager's manager) of an active person, both active, all three distinct."""
    person = people.get(person_id)
    if person is None or not _active(person) or person.manager_id is None:
        return None
    manager = people.get(person.manager_id)
    if manager is None or manager.manager_id is None:
        return None
    above = people.get(manager.manager_id)
    if above is None or not _active(above) or above.employee_id in (person_id, manager.employee_id):
        return None
    return manager.employee_id, above.employee_id


def escalate(session: Session, *, now: dt.datetime) -> EscalationRun:
    today = now.date()
    cutoff = today - dt.timedelta(days=ESCALATION_DAYS)
    courses = session.scalars(
        select(OverdueEnrollment).where(OverdueEnrollment.due_on <= cutoff)
    ).all()
    reviews = (
        session.execute(
            select(ReviewTask)
            .join(
                CycleState,
                (CycleState.cycle_id == ReviewTask.cycle_id)
                & (CycleState.phase == ReviewTask.phase),
            )
            .where(
                ReviewTask.status == "draft",
                ReviewTask.reviewer_id.is_not(None),
                ReviewTask.due_on <= cutoff,
            )
        )
        .scalars()
        .all()
    )
    ids: set[uuid.UUID] = {c.employee_id for c in courses}
    ids |= {r.reviewer_id for r in reviews if r.reviewer_id is not None}
    ids |= {r.employee_id for r in reviews}
    people = people_by_id(session, ids)
    managers = {p.manager_id for p in people.values() if p.manager_id is not None}
    people |= people_by_id(session, managers - people.keys())
    above_ids = {people[m].manager_id for m in managers if m in people and people[m].manager_id}
    people |= people_by_id(session, {a for a in above_ids if a is not None} - people.keys())

    outgoing: list[Outgoing] = []
    run = EscalationRun()
    for course in courses:
        chain = _above(course.employee_id, people)
        if chain is None:
            continue
        run.courses += 1
        outgoing.append(
            Outgoing(
                source_event_id=uuid.uuid5(ESCALATION_NAMESPACE, f"course/{course.enrollment_id}"),
                kind=NotificationKind.ENROLLMENT_OVERDUE,
                recipient_id=chain[1],
                audience=Audience.ESCALATION,
                subject_employee_id=course.employee_id,
                data={
                    "course_code": course.course_code,
                    "due_on": course.due_on.isoformat(),
                    "enrollment_id": str(course.enrollment_id),
                },
            )
        )
    for review in reviews:
        assert review.reviewer_id is not None
        if not _active(people.get(review.employee_id)):
            continue  # a review of someone terminated is not chased
        chain = _above(review.reviewer_id, people)
        if chain is None:
            continue
        run.reviews += 1
        outgoing.append(
            Outgoing(
                source_event_id=uuid.uuid5(ESCALATION_NAMESPACE, f"review/{review.review_id}"),
                kind=NotificationKind.REVIEW_OVERDUE,
                recipient_id=chain[1],
                audience=Audience.ESCALATION,
                # The reviewer who is behind, never whom the review is about.
                subject_employee_id=review.reviewer_id,
                data={
                    "review_id": str(review.review_id),
                    "cycle_id": str(review.cycle_id),
                    "cycle_code": review.cycle_code,
                    "review_kind": review.kind,
                    "phase": review.phase,
                    "due_on": review.due_on.isoformat() if review.due_on else None,
                },
            )
        )
    record(session, outgoing, notices=[], now=now)
    return run
