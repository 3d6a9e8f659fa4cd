"""Succession's events: key roles and their incumbents, potential, nominations and
readiness (and the accepted successor suggestions they came from)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleVacated,
    PotentialAssessed,
    ReadinessAssessed,
    SuccessorNominated,
    SuccessorRemoved,
)
from talent_platform.events import Envelope
from talent_recommender.ingest.consumers.runs import Items, handles, one_by_one
from talent_recommender.ingest.store.succession import (
    record_key_role,
    record_nomination,
    record_potentials,
    record_readiness,
    record_removal,
    vacate_key_role,
)
from talent_recommender.recommendations.acceptance import record_acceptance


def on_key_role(session: Session, payload: KeyRoleDefined, envelope: Envelope) -> None:
    record_key_role(session, payload, at=envelope.time)


handles(KeyRoleDefined)(one_by_one(on_key_role))


def on_key_role_vacated(session: Session, payload: KeyRoleVacated, envelope: Envelope) -> None:
    vacate_key_role(session, payload, at=envelope.time)


handles(KeyRoleVacated)(one_by_one(on_key_role_vacated))


@handles(PotentialAssessed, independent=True)
def on_potentials(session: Session, items: Items) -> None:
    record_potentials(
        session,
        [
            {
                "employee_id": payload.employee_id,
                "assessment_id": payload.assessment_id,
                "potential": payload.potential,
                "assessed_on": payload.assessed_on,
            }
            for payload, _ in items
        ],
    )


def on_nominated(session: Session, payload: SuccessorNominated, envelope: Envelope) -> None:
    record_nomination(session, payload)
    if payload.suggestion_id is not None:
        accept_suggestion(session, payload, envelope)


handles(SuccessorNominated)(one_by_one(on_nominated))


def accept_suggestion(session: Session, payload: SuccessorNominated, envelope: Envelope) -> None:
    record_acceptance(
        session,
        payload.suggestion_id,
        kind="successor",
        employee_id=payload.employee_id,
        key_role_id=payload.key_role_id,
        via="nomination",
        source_id=payload.nomination_id,
        at=envelope.time,
    )


def on_readiness(session: Session, payload: ReadinessAssessed, envelope: Envelope) -> None:
    record_readiness(session, payload)


handles(ReadinessAssessed)(one_by_one(on_readiness))


def on_removed(session: Session, payload: SuccessorRemoved, envelope: Envelope) -> None:
    record_removal(session, payload)


handles(SuccessorRemoved)(one_by_one(on_removed))
