"""Succession's events become HR leaders' notices, and keep what their digest lists
(state.py):

- `key_role.uncovered` -> KEY_ROLE_UNCOVERED to every succession recipient (recipients.py),
  and to the webhooks subscribed to SUCCESSION by name;
- succession's `review.overdue` -> SUCCESSION_RECORD_STALE to the recipients whose org
  unit (if any) holds the employee, never to the employee themselves: which kind of
  record, whose, and its review-by date, never its value;
- `key_role.defined` names the role; nominations and readiness assessments say whether
  a ready-now successor covers it again, and which stale records were reviewed;
- the recommender's successor suggestions (`recommendation.issued`, kind successor) are
  counted for the digest.

`plan_action.created` is not handled: plan actions are HR-confidential and the event
cannot say whether the employee may see one (docs/notifier.md, Confidentiality).
Recipients are the notifier's when the event is handled; nobody terminated hears, and
nothing is said about a terminated employee's records.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from talent_contracts.recommender import RecommendationIssued
from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleUncovered,
    PotentialAssessed,
    ReadinessAssessed,
    ReviewOverdue,
    SuccessorNominated,
    SuccessorRemoved,
)
from talent_notifier.notifications import ledger, outgoing
from talent_notifier.notifications.consumers import source_event_id
from talent_notifier.notifications.models import Audience, NotificationKind
from talent_notifier.notifications.outgoing import Outgoing
from talent_notifier.notifications.recipients import TERMINATED
from talent_notifier.succession import state
from talent_notifier.succession.recipients import active_recipients
from talent_notifier.webhooks.ledger import Notice, org_units_of
from talent_platform.events import HandlerRegistry
from talent_platform.events.handlers import BatchItem

SUCCESSION_EVENTS = (
    KeyRoleDefined,
    KeyRoleUncovered,
    ReviewOverdue,
    SuccessorNominated,
    ReadinessAssessed,
    SuccessorRemoved,
    PotentialAssessed,
)


def key_role_data(event: KeyRoleUncovered, *, title: str | None) -> dict[str, object]:
    """What an uncovered-role notice says: the role, its criticality and how many
    successors its slate has; never who they are or how ready."""
    return {
        "key_role_id": str(event.key_role_id),
        "key_role_code": event.code,
        "key_role_title": title,
        "criticality": event.criticality,
        "successors": event.successors,
    }


def stale_data(event: ReviewOverdue) -> dict[str, object]:
    """What a stale-record notice says: the kind of record and its review-by date; never
    a potential value, a readiness level or a rating (the event carries none)."""
    return {
        "record_kind": event.record_kind,
        "record_id": str(event.record_id),
        "review_by": event.review_by.isoformat(),
    }


def apply_succession(session: Session, items: Sequence[BatchItem]) -> None:
    """Keep the state in consumed order, then record the batch's notices at once."""
    now = dt.datetime.now(dt.UTC)
    uncovered: list[tuple[KeyRoleUncovered, uuid.UUID, str | None]] = []
    stale: list[tuple[ReviewOverdue, uuid.UUID]] = []
    for payload, envelope in items:
        if isinstance(payload, KeyRoleDefined):
            state.define_role(session, payload, now=now)
        elif isinstance(payload, KeyRoleUncovered):
            title = state.mark_uncovered(session, payload, now=now)
            uncovered.append((payload, source_event_id(envelope), title))
        elif isinstance(payload, ReviewOverdue):
            state.flag_stale(session, payload)
            stale.append((payload, source_event_id(envelope)))
        elif isinstance(payload, SuccessorNominated | ReadinessAssessed):
            state.nomination_ready(
                session,
                nomination_id=payload.nomination_id,
                key_role_id=payload.key_role_id,
                ready_now=payload.readiness == "ready_now",
            )
            if isinstance(payload, ReadinessAssessed):
                state.readiness_reviewed(
                    session, payload.nomination_id, review_by=payload.review_by, now=now
                )
        elif isinstance(payload, SuccessorRemoved):
            state.nomination_ready(
                session,
                nomination_id=payload.nomination_id,
                key_role_id=payload.key_role_id,
                ready_now=False,
            )
            state.readiness_reviewed(session, payload.nomination_id, review_by=None, now=now)
        elif isinstance(payload, PotentialAssessed):
            state.potential_reviewed(
                session, payload.employee_id, assessment_id=payload.assessment_id, now=now
            )
        else:
            raise TypeError(f"not a succession event: {type(payload).__name__}")
    if uncovered or stale:
        notify(session, uncovered, stale, now=now)


def notify(
    session: Session,
    uncovered: Sequence[tuple[KeyRoleUncovered, uuid.UUID, str | None]],
    stale: Sequence[tuple[ReviewOverdue, uuid.UUID]],
    *,
    now: dt.datetime,
) -> None:
    recipients = active_recipients(session)
    about = {event.employee_id for event, _ in stale}
    people = ledger.people_by_id(session, about)
    units = org_units_of(session, about)
    found: list[Outgoing] = []
    notices: list[Notice] = []
    for role, source, title in uncovered:
        data = key_role_data(role, title=title)
        # About no employee: the row's subject is the recipient (as for a digest), the
        # webhooks' is the key role (in no org unit, so only webhooks without one).
        found.extend(
            Outgoing(
                source,
                NotificationKind.KEY_ROLE_UNCOVERED,
                recipient.employee_id,
                Audience.HR,
                recipient.employee_id,
                data,
            )
            for recipient in recipients
        )
        notices.append(Notice(source, NotificationKind.KEY_ROLE_UNCOVERED, role.key_role_id, data))
    for record, source in stale:
        person = people.get(record.employee_id)
        if person is not None and person.status == TERMINATED:
            continue
        data = stale_data(record)
        unit = units.get(record.employee_id)
        found.extend(
            Outgoing(
                source,
                NotificationKind.SUCCESSION_RECORD_STALE,
                recipient.employee_id,
                Audience.HR,
                record.employee_id,
                data,
            )
            for recipient in recipients
            if recipient.hears_about(record.employee_id, org_unit_code=unit)
        )
        notices.append(
            Notice(source, NotificationKind.SUCCESSION_RECORD_STALE, record.employee_id, data)
        )
    outgoing.record(session, found, notices=notices, now=now)


def remember_suggestions(session: Session, items: Sequence[BatchItem]) -> None:
    found: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for payload, _ in items:
        if not isinstance(payload, RecommendationIssued):
            raise TypeError(f"not a recommendation: {type(payload).__name__}")
        if payload.kind == "successor" and payload.key_role_id is not None:
            found.add((payload.recommendation_id, payload.key_role_id))
    state.remember_suggestions(session, found, now=dt.datetime.now(dt.UTC))


def register(registry: HandlerRegistry) -> None:
    registry.on_batch(*SUCCESSION_EVENTS)(apply_succession)
    # Independent: it writes only the suggestions, which no handler reads (the digest
    # does), so the managers' notices keep seeing a refit's events as one run.
    registry.on_batch(RecommendationIssued, independent=True)(remember_suggestions)
