"""Performance's events become review notices (recipients.py says who hears what), and
its review and rating events keep the cycle participants a release is sent to. Set-based
per batch: a few reads and one insert that skips what a redelivered event recorded.

Review notices go to the in-app inbox and email as each recipient's REVIEWS preferences
allow; due-soon and overdue notices also go to the webhooks that match (about the
reviewer). A release is one event about many employees, so it goes to no webhook (one
webhook row per event would name one employee of the cycle)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.performance import (
    CycleLaunched,
    CyclePhaseChanged,
    CycleReleased,
    RatingCalibrated,
    ReviewAssigned,
    ReviewCancelled,
    ReviewDueSoon,
    ReviewOverdue,
    ReviewSignedOff,
    ReviewSubmitted,
)
from talent_notifier.notifications import ledger, outgoing
from talent_notifier.notifications.consumers import source_event_id
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.outgoing import Outgoing
from talent_notifier.reviews import participants, phases, tasks
from talent_notifier.reviews.recipients import (
    released_recipients,
    review_recipients,
    reviewer_of,
)
from talent_notifier.webhooks.ledger import Notice
from talent_platform.events import HandlerRegistry
from talent_platform.events.handlers import BatchItem

REVIEW_NOTICES = (ReviewDueSoon, ReviewOverdue)
PARTICIPATION = (ReviewSubmitted, RatingCalibrated, ReviewDueSoon, ReviewOverdue, ReviewAssigned)
TASKS = (ReviewAssigned, ReviewSubmitted, ReviewCancelled, ReviewSignedOff)
CYCLE_PHASES = (CycleLaunched, CyclePhaseChanged)


def review_data(event: ReviewDueSoon | ReviewOverdue) -> dict[str, str | None]:
    """What a due-soon or overdue notice says (no rating: these events carry none)."""
    return {
        "review_id": str(event.review_id),
        "cycle_id": str(event.cycle_id),
        "cycle_code": event.cycle_code,
        "review_kind": event.kind,
        "phase": event.phase,
        "due_on": event.due_on.isoformat(),
    }


def released_data(event: CycleReleased) -> dict[str, str | None]:
    """What a release notice says: which cycle and when; never a rating."""
    return {
        "cycle_id": str(event.cycle_id),
        "cycle_code": event.cycle_code,
        "released_on": event.released_at.date().isoformat(),
    }


def remember_participants(session: Session, items: Sequence[BatchItem]) -> None:
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for payload, _ in items:
        if not isinstance(payload, PARTICIPATION):
            raise TypeError(f"not a review event: {type(payload).__name__}")
        if payload.cycle_id is not None:
            pairs.add((payload.cycle_id, payload.employee_id))
    participants.remember(session, pairs)


def notify_reviews(session: Session, items: Sequence[BatchItem]) -> None:
    events: list[tuple[ReviewDueSoon | ReviewOverdue, uuid.UUID]] = []
    for payload, envelope in items:
        if not isinstance(payload, REVIEW_NOTICES):
            raise TypeError(f"not a review notice: {type(payload).__name__}")
        events.append((payload, source_event_id(envelope)))
    ids: set[uuid.UUID] = set()
    for event, _ in events:
        ids.add(event.employee_id)
        reviewer = reviewer_of(event)
        if reviewer is not None:
            ids.add(reviewer)
    people = ledger.people_by_id(session, ids)
    # Two more rounds up the chain: the reviewers' managers and theirs (escalation).
    for _ in range(2):
        above = {p.manager_id for p in people.values() if p.manager_id is not None}
        people |= ledger.people_by_id(session, above - set(people))
    now = dt.datetime.now(dt.UTC)
    found: list[Outgoing] = []
    notices: list[Notice] = []
    for event, source in events:
        kind = (
            NotificationKind.REVIEW_DUE_SOON
            if isinstance(event, ReviewDueSoon)
            else NotificationKind.REVIEW_OVERDUE
        )
        data = review_data(event)
        told = review_recipients(event, people, today=now.date())
        for recipient in told:
            about = (
                event.employee_id
                if recipient.audience is Audience.EMPLOYEE
                else told[0].employee_id  # the reviewer, who is behind
            )
            found.append(
                Outgoing(source, kind, recipient.employee_id, recipient.audience, about, data)
            )
        if told:
            notices.append(Notice(source, kind, told[0].employee_id, data))
    outgoing.record(session, found, notices=notices, now=now)


def notify_released(session: Session, items: Sequence[BatchItem]) -> None:
    events: list[tuple[CycleReleased, uuid.UUID]] = []
    for payload, envelope in items:
        if not isinstance(payload, CycleReleased):
            raise TypeError(f"not a cycle release: {type(payload).__name__}")
        events.append((payload, source_event_id(envelope)))
    reviewed = participants.of_cycles(session, {event.cycle_id for event, _ in events})
    people = ledger.people_by_id(session, {e for ids in reviewed.values() for e in ids})
    found = [
        Outgoing(
            source,
            NotificationKind.REVIEW_RELEASED,
            recipient.employee_id,
            recipient.audience,
            recipient.employee_id,
            released_data(event),
        )
        for event, source in events
        for recipient in released_recipients(reviewed[event.cycle_id], people)
    ]
    outgoing.record(session, found, notices=[], now=dt.datetime.now(dt.UTC))


def keep_tasks(session: Session, items: Sequence[BatchItem]) -> None:
    """Keep the review tasks; a review to do in its cycle's open phase (the phase change
    was handled first: a draft in its writing phase, a submitted manager review in
    sign_off) notifies its reviewer now."""
    events: list[tasks.TaskEvent] = []
    for payload, _ in items:
        if not isinstance(payload, TASKS):
            raise TypeError(f"not a review task event: {type(payload).__name__}")
        events.append(payload)
    rows = [r for r in tasks.apply(session, events) if r["reviewer_id"] is not None]
    current = tasks.current_phases(session, {r["cycle_id"] for r in rows})
    now = dt.datetime.now(dt.UTC)
    for cycle_id, phase in current.items():
        kind, statuses = tasks.PENDING.get(phase.phase, (None, ()))
        reviewers = {
            r["reviewer_id"]
            for r in rows
            if r["cycle_id"] == cycle_id and r["kind"] == kind and r["status"] in statuses
        }
        if reviewers:
            phases.notify_opened(session, [phase], reviewers=reviewers, now=now)


def open_phases(session: Session, items: Sequence[BatchItem]) -> None:
    """Remember each cycle's phase, and tell the reviewers of a tracked phase that opened."""
    opened: list[tasks.PhaseOpened] = []
    for payload, _ in items:
        if isinstance(payload, CyclePhaseChanged):
            opened.append(
                tasks.PhaseOpened(
                    payload.cycle_id, payload.cycle_code, payload.phase, payload.due_on
                )
            )
        elif isinstance(payload, CycleLaunched):
            opened.append(
                tasks.PhaseOpened(payload.cycle_id, payload.cycle_code, payload.phase, None)
            )
        else:
            raise TypeError(f"not a cycle phase event: {type(payload).__name__}")
    tasks.record_phases(session, opened)
    # Only each cycle's latest phase of the batch is open now.
    latest = list({phase.cycle_id: phase for phase in opened}.values())
    phases.notify_opened(session, latest, now=dt.datetime.now(dt.UTC))


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*PARTICIPATION)(remember_participants)
    registry.on_batch(*TASKS)(keep_tasks)
    registry.on_batch(*CYCLE_PHASES)(open_phases)
    registry.on_batch(*REVIEW_NOTICES)(notify_reviews)
    registry.on_batch(CycleReleased)(notify_released)
