"""Who hears about the recommender's `recommendation.issued`, and how many notices a
refit makes (no database here):

- only course recommendations (development actions) are told, and only to the
  employee's manager, as the notifier's projection has them when the event is handled;
  successor suggestions are HR's (confidential like slates) and reach no one;
- nobody terminated: not about a terminated employee, not to a terminated manager; an
  employee the projection does not know yet has no known manager, so no notice;
- coalesced: the recommendations for one report from one batch make one notice to the
  manager, listing them. A batch is the model version that issued them (a refit), or
  for recommendations without a version, the UTC day they were issued. The notice's
  ledger key is derived from (report, batch), not from one event's `ce_id`, so a
  redelivered or replayed event of the batch creates nothing new either.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from talent_contracts.recommender import RecommendationIssued
from talent_notifier.notifications.recipients import TERMINATED, Person

BATCH_NAMESPACE = uuid.UUID("a3c2b7e4-5d61-4f0a-8e9b-1c2d3e4f5a60")


def batch_of(event: RecommendationIssued) -> str:
    if event.model_version is not None:
        return f"model-{event.model_version}"
    return f"day-{event.issued_at.date().isoformat()}"


def notice_id(employee_id: uuid.UUID, batch: str) -> uuid.UUID:
    """The ledger's source id of the notice about `employee_id`'s recommendations of
    `batch` (the same for every event of the batch)."""
    return uuid.uuid5(BATCH_NAMESPACE, f"team-recommendations:{employee_id}:{batch}")


@dataclass
class TeamNotice:
    """One report's new recommendations of one batch, for their manager."""

    source_id: uuid.UUID
    manager_id: uuid.UUID
    employee_id: uuid.UUID
    batch: str
    recommendation_ids: list[str] = field(default_factory=list)
    course_codes: list[str] = field(default_factory=list)

    def data(self) -> dict[str, object]:
        return {
            "batch": self.batch,
            "recommendation_ids": self.recommendation_ids,
            "course_codes": self.course_codes,
        }


def team_notices(
    events: Sequence[RecommendationIssued], people: Mapping[uuid.UUID, Person]
) -> list[TeamNotice]:
    found: dict[tuple[uuid.UUID, uuid.UUID, str], TeamNotice] = {}
    for event in events:
        if event.kind != "course":
            continue
        employee = people.get(event.employee_id)
        if employee is None or employee.status == TERMINATED or employee.manager_id is None:
            continue
        manager = people.get(employee.manager_id)
        if manager is not None and manager.status == TERMINATED:
            continue
        batch = batch_of(event)
        key = (employee.manager_id, event.employee_id, batch)
        notice = found.get(key)
        if notice is None:
            notice = found[key] = TeamNotice(
                notice_id(event.employee_id, batch), employee.manager_id, event.employee_id, batch
            )
        recommendation = str(event.recommendation_id)
        if recommendation not in notice.recommendation_ids:
            notice.recommendation_ids.append(recommendation)
            if event.course_code is not None:
                notice.course_codes.append(event.course_code)
    return list(found.values())
