"""Phase-opening notices (`REVIEW_PHASE_OPENED`, category REVIEWS): when a tracked phase
of a cycle opens (`cycle.phase_changed` to self_review, peer_feedback, manager_review or
sign_off), each reviewer with a review still to do in it hears once, listing the
employees whose reviews they must write (a manager with ten reports gets one notice).

Cycle events are keyed by cycle and review events by employee, so they travel on
different partitions and a phase change may be handled before the reviews it concerns.
Both orders end the same: the phase change notifies the reviewers of the reviews known by
then, and a review that arrives while its cycle's current phase is the one it is written
in notifies its reviewer then. The notice's ledger key is derived from (cycle, phase,
reviewer), so whichever comes first makes the notice and the rest make nothing (a later
review of the same reviewer is not added to the notice already made)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.orm import Session

from talent_notifier.notifications import outgoing
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.outgoing import Outgoing
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.reviews import tasks
from talent_notifier.reviews.tasks import PENDING, PhaseOpened
from talent_notifier.webhooks.ledger import Notice

PHASE_NOTICE_NAMESPACE = uuid.UUID("0f5d3c1e-8a47-4a2b-9d7e-3c6b1f2e9a41")


def notice_id(cycle_id: uuid.UUID, phase: str, reviewer_id: uuid.UUID) -> uuid.UUID:
    """The notice's ledger source id: one notice per (cycle, phase, reviewer)."""
    return uuid.uuid5(PHASE_NOTICE_NAMESPACE, f"{cycle_id}/{phase}/{reviewer_id}")


def notify_opened(
    session: Session,
    opened: Sequence[PhaseOpened],
    *,
    reviewers: Collection[uuid.UUID] | None = None,
    now: dt.datetime,
) -> int:
    """Tell each reviewer with reviews to do in these open phases (only `reviewers`, when
    given); returns how many ledger rows were new."""
    found: list[Outgoing] = []
    notices: list[Notice] = []
    for phase in opened:
        if phase.phase not in PENDING:
            continue
        if phase.due_on is not None and phase.due_on < now.date():
            # Handled after its deadline (a replay into a fresh notifier): the due-soon
            # and overdue notices are what counts now.
            continue
        todo = tasks.pending(session, phase.cycle_id, phase.phase, reviewers=reviewers)
        if not todo:
            continue
        by_reviewer: dict[uuid.UUID, list[tasks.Pending]] = defaultdict(list)
        for item in todo:
            by_reviewer[item.reviewer_id].append(item)
        people = tasks.named(session, set(by_reviewer) | {item.employee_id for item in todo})
        kind, _ = PENDING[phase.phase]
        for reviewer, items in by_reviewer.items():
            person = people.get(reviewer)
            if person is not None and person.status == TERMINATED:
                continue
            employees = [
                {"id": str(i.employee_id), "name": p.name if p is not None else None}
                for i in items
                for p in [people.get(i.employee_id)]
                if p is None or p.status != TERMINATED
            ]
            employees.sort(key=lambda e: (e["name"] or "", e["id"]))
            if not employees:  # every review of theirs is about someone who left
                continue
            due_on = phase.due_on or next((i.due_on for i in items if i.due_on), None)
            data: dict[str, Any] = {
                "cycle_id": str(phase.cycle_id),
                "cycle_code": phase.cycle_code,
                "phase": phase.phase,
                "review_kind": kind,
                "due_on": due_on.isoformat() if due_on is not None else None,
                "employees": employees,
            }
            source = notice_id(phase.cycle_id, phase.phase, reviewer)
            found.append(
                Outgoing(
                    source,
                    NotificationKind.REVIEW_PHASE_OPENED,
                    reviewer,
                    Audience.EMPLOYEE,
                    reviewer,
                    data,
                )
            )
            notices.append(Notice(source, NotificationKind.REVIEW_PHASE_OPENED, reviewer, data))
    if not found:
        return 0
    return outgoing.record(session, found, notices=notices, now=now)
