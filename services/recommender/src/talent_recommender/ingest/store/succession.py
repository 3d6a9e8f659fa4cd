"""The projections of succession's events: key roles and their incumbents, potential,
and nominations with their readiness. Key roles and nominations are rare: applied one
event at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.succession import (
    KeyRoleDefined,
    KeyRoleVacated,
    ReadinessAssessed,
    SuccessorNominated,
    SuccessorRemoved,
)
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import in_waves
from talent_recommender.ingest.models import KeyRole, Nomination, Potential


def record_key_role(session: Session, payload: KeyRoleDefined, *, at: dt.datetime) -> None:
    """The key role as defined at `at`, unless a later definition was applied already."""
    current = session.get(KeyRole, payload.key_role_id)
    if current is not None and current.updated_at > at:
        return  # a stale re-delivery
    values = {
        "key_role_id": payload.key_role_id,
        "code": payload.code,
        "title": payload.title,
        "job_profile_code": payload.job_profile_code,
        "incumbent_id": payload.incumbent_id,
        "org_unit_code": payload.org_unit_code,
        "criticality": payload.criticality,
        "updated_at": at,
    }
    statement = insert(KeyRole).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[KeyRole.key_role_id],
            set_={k: statement.excluded[k] for k in values if k != "key_role_id"},
        )
    )
    session.expire_all()


def vacate_key_role(session: Session, payload: KeyRoleVacated, *, at: dt.datetime) -> None:
    """The key role loses its incumbent, unless something newer (a later definition
    naming a new incumbent) was applied."""
    session.execute(
        update(KeyRole)
        .where(
            KeyRole.key_role_id == payload.key_role_id,
            KeyRole.incumbent_id == payload.previous_incumbent_id,
            KeyRole.updated_at <= at,
        )
        .values(incumbent_id=None, updated_at=at)
    )
    session.expire_all()


def record_potentials(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """The latest assessment wins (by date, then id), whatever order they arrive in. Rows:
    employee_id, assessment_id, potential, assessed_on."""
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


def record_nomination(session: Session, payload: SuccessorNominated) -> None:
    """The nomination, keeping a readiness that a later assessment already set."""
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


def record_readiness(session: Session, payload: ReadinessAssessed) -> None:
    """The nomination's readiness, unless a later assessment was applied already."""
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


def record_removal(session: Session, payload: SuccessorRemoved) -> None:
    """The nomination's removal (a removal applied before its nomination makes the row)."""
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
