"""Who hears about performance's review events, decided from the notifier's projection
of people when the event is handled (no database here):

- `review.due_soon`: the reviewer, the person the event names as writing the review
  (`reviewer_id`; for a self review without one, the employee);
- `review.overdue`: the reviewer and the reviewer's manager; when it is handled
  `ESCALATION_DAYS` or more days after the due date, also that manager's manager;
- `cycle.released`: each employee reviewed in the cycle (the notifier's cycle
  participants), told that their review is available, never with a rating;
- nobody terminated: a terminated reviewer, manager or employee is skipped, and a review
  of a terminated employee is not chased.

`review.overdue` is published once, when the deadline passes, and carries no escalation
flag; so the escalation rule only applies to an event handled late (published late,
or replayed), measured from its `due_on`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from talent_contracts.performance import ReviewDueSoon, ReviewOverdue
from talent_notifier.notifications.models import Audience
from talent_notifier.notifications.recipients import TERMINATED, Person, Recipient

ESCALATION_DAYS = 7
"""Days past a review's due date from which an overdue notice also goes to the manager
of the reviewer's manager."""


def active(person_id: uuid.UUID | None, people: Mapping[uuid.UUID, Person]) -> bool:
    """Known to the projection as not terminated (someone unknown is assumed active, as
    the learning notices do: the address is looked up when the email is sent)."""
    if person_id is None:
        return False
    person = people.get(person_id)
    return person is None or person.status != TERMINATED


def reviewer_of(event: ReviewDueSoon | ReviewOverdue) -> uuid.UUID | None:
    if event.reviewer_id is not None:
        return event.reviewer_id
    return event.employee_id if event.kind == "self" else None


def manager_of(person_id: uuid.UUID, people: Mapping[uuid.UUID, Person]) -> uuid.UUID | None:
    person = people.get(person_id)
    return person.manager_id if person is not None else None


def review_recipients(
    event: ReviewDueSoon | ReviewOverdue,
    people: Mapping[uuid.UUID, Person],
    *,
    today: dt.date,
) -> list[Recipient]:
    reviewer = reviewer_of(event)
    if reviewer is None or not active(reviewer, people) or not active(event.employee_id, people):
        return []
    found = [Recipient(reviewer, Audience.EMPLOYEE)]
    if isinstance(event, ReviewDueSoon):
        return found
    told = {reviewer}
    manager = manager_of(reviewer, people)
    if manager is not None and manager not in told and active(manager, people):
        found.append(Recipient(manager, Audience.MANAGER))
        told.add(manager)
    if manager is not None and (today - event.due_on).days >= ESCALATION_DAYS:
        above = manager_of(manager, people)
        if above is not None and above not in told and active(above, people):
            found.append(Recipient(above, Audience.ESCALATION))
    return found


def released_recipients(
    employee_ids: list[uuid.UUID], people: Mapping[uuid.UUID, Person]
) -> list[Recipient]:
    return [
        Recipient(employee_id, Audience.EMPLOYEE)
        for employee_id in employee_ids
        if active(employee_id, people)
    ]
