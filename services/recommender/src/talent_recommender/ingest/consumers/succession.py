"""Succession's events: key roles and their incumbents, potential, nominations and
readiness (and the accepted successor suggestions they came from)."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleVacated,
    PotentialAssessed,
    ReadinessAssessed,
    SuccessorNominated,
    SuccessorRemoved,
)
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import Envelope, in_waves
from talent_recommender.ingest.consumers.acceptance import record_acceptance
from talent_recommender.ingest.consumers.runs import (
    Items,
    handles,
    one_by_one,
)
from talent_recommender.ingest.models import (
    KeyRole,
    Nomination,
    Potential,
)


def on_key_role(session: Session, payload: KeyRoleDefined, envelope: Envelope) -> None:
    current = session.get(KeyRole, payload.key_role_id)
    if current is not None and current.updated_at > envelope.time:
        return  # a stale re-delivery
    values = {
        "key_role_id": payload.key_role_id,
        "code": payload.code,
        "title": payload.title,
        "job_profile_code": payload.job_profile_code,
        "incumbent_id": payload.incumbent_id,
        "org_unit_code": payload.org_unit_code,
        "criticality": payload.criticality,
        "updated_at": envelope.time,
    }
    statement = insert(KeyRole).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[KeyRole.key_role_id],
            set_={k: statement.excluded[k] for k in values if k != "key_role_id"},
        )
    )
    session.expire_all()


handles(KeyRoleDefined)(one_by_one(on_key_role))


def on_key_role_vacated(session: Session, payload: KeyRoleVacated, envelope: Envelope) -> None:
    # Only if nothing newer (a later definition naming a new incumbent) was applied.
    session.execute(
        update(KeyRole)
        .where(
            KeyRole.key_role_id == payload.key_role_id,
            KeyRole.incumbent_id == payload.previous_incumbent_id,
            KeyRole.updated_at <= envelope.time,
        )
        .values(incumbent_id=None, updated_at=envelope.time)
    )
    session.expire_all()


handles(KeyRoleVacated)(one_by_one(on_key_role_vacated))


@handles(PotentialAssessed, independent=True)
def on_potentials(session: Session, items: Items) -> None:
    """The latest assessment wins (by date, then id), whatever order they arrive in."""
    rows = [
        {
            "employee_id": payload.employee_id,
            "assessment_id": payload.assessment_id,
            "potential": payload.potential,
            "assessed_on": payload.assessed_on,
        }
        for payload, _ in items
    ]
    for wave in in_waves(rows, key=lambda row: row["employee_id"]):
        names = list(wave[0])
        statement = unnest_insert(Potential, names)
        newer = (statement.excluded.assessed_on > Potential.assessed_on) | (
            (statement.excluded.assessed_on == Potential.assessed_on)
            & (statement.excluded.assessment_id >= Potential.assessment_id)
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[Potential.employee_id],
                set_={
                    k: statement.excluded[k] for k in ("assessment_id", "potential", "assessed_on")
                },
                where=newer,
            ),
            unnest_params(wave, names),
        )


def on_nominated(session: Session, payload: SuccessorNominated, envelope: Envelope) -> None:
    statement = insert(Nomination).values(
        nomination_id=payload.nomination_id,
        key_role_id=payload.key_role_id,
        employee_id=payload.employee_id,
        readiness=payload.readiness,
        readiness_on=payload.nominated_on,
        rank=payload.rank,
        suggestion_id=payload.suggestion_id,
        nominated_on=payload.nominated_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Nomination.nomination_id],
            set_={
                "rank": statement.excluded.rank,
                "suggestion_id": statement.excluded.suggestion_id,
                "nominated_on": statement.excluded.nominated_on,
                # A readiness assessment applied first (out of order) came later: it stays.
                "readiness": func.coalesce(Nomination.readiness, statement.excluded.readiness),
                "readiness_on": func.coalesce(
                    Nomination.readiness_on, statement.excluded.readiness_on
                ),
            },
        )
    )
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
    statement = insert(Nomination).values(
        nomination_id=payload.nomination_id,
        key_role_id=payload.key_role_id,
        employee_id=payload.employee_id,
        readiness=payload.readiness,
        readiness_on=payload.assessed_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Nomination.nomination_id],
            set_={
                "readiness": statement.excluded.readiness,
                "readiness_on": statement.excluded.readiness_on,
            },
            where=(Nomination.readiness_on.is_(None))
            | (Nomination.readiness_on <= statement.excluded.readiness_on),
        )
    )


handles(ReadinessAssessed)(one_by_one(on_readiness))


def on_removed(session: Session, payload: SuccessorRemoved, envelope: Envelope) -> None:
    statement = insert(Nomination).values(
        nomination_id=payload.nomination_id,
        key_role_id=payload.key_role_id,
        employee_id=payload.employee_id,
        removed_on=payload.removed_on,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Nomination.nomination_id],
            set_={"removed_on": statement.excluded.removed_on},
        )
    )


handles(SuccessorRemoved)(one_by_one(on_removed))
