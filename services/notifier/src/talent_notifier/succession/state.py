"""The notifier's writes and reads of what it keeps of succession (models.py), on the
consumer's sync session: key roles as defined and announced uncovered, the ready-now
nominations that cover them again, stale records until they are reviewed, and successor
suggestions. Idempotent: a redelivered or replayed event changes nothing more."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.succession import KeyRoleDefined, KeyRoleUncovered, ReviewOverdue
from talent_notifier.succession.models import (
    KeyRoleSummary,
    ReadySuccessor,
    StaleRecord,
    SuccessorSuggestion,
)


def define_role(session: Session, event: KeyRoleDefined, *, now: dt.datetime) -> None:
    statement = insert(KeyRoleSummary).values(
        key_role_id=event.key_role_id,
        code=event.code,
        title=event.title,
        criticality=event.criticality,
        updated_at=now,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key_role_id"],
            set_={
                "code": statement.excluded.code,
                "title": statement.excluded.title,
                "criticality": statement.excluded.criticality,
                "updated_at": now,
            },
        )
    )


def mark_uncovered(session: Session, event: KeyRoleUncovered, *, now: dt.datetime) -> str | None:
    """Record that succession announced the role uncovered; returns its title when the
    notifier has seen the role defined."""
    statement = insert(KeyRoleSummary).values(
        key_role_id=event.key_role_id,
        code=event.code,
        criticality=event.criticality,
        uncovered_on=now.date(),
        successors=event.successors,
        updated_at=now,
    )
    return session.scalar(
        statement.on_conflict_do_update(
            index_elements=["key_role_id"],
            set_={
                "code": statement.excluded.code,
                "criticality": statement.excluded.criticality,
                "uncovered_on": statement.excluded.uncovered_on,
                "successors": statement.excluded.successors,
                "updated_at": now,
            },
        ).returning(KeyRoleSummary.title)
    )


def nomination_ready(
    session: Session, *, nomination_id: uuid.UUID, key_role_id: uuid.UUID, ready_now: bool
) -> None:
    """A nomination's readiness as succession last published it: a ready-now one covers
    its role."""
    if ready_now:
        session.execute(
            insert(ReadySuccessor)
            .values(nomination_id=nomination_id, key_role_id=key_role_id)
            .on_conflict_do_nothing(index_elements=["nomination_id"])
        )
    else:
        session.execute(delete(ReadySuccessor).where(ReadySuccessor.nomination_id == nomination_id))


def flag_stale(session: Session, event: ReviewOverdue) -> None:
    session.execute(
        insert(StaleRecord)
        .values(
            record_kind=event.record_kind,
            record_id=event.record_id,
            review_by=event.review_by,
            employee_id=event.employee_id,
        )
        .on_conflict_do_nothing(index_elements=["record_kind", "record_id", "review_by"])
    )


def readiness_reviewed(
    session: Session, nomination_id: uuid.UUID, *, review_by: dt.date | None, now: dt.datetime
) -> None:
    """A nomination was re-assessed (its stale records due before the new `review_by`
    are reviewed) or removed (`review_by` None: all of them are)."""
    statement = update(StaleRecord).where(
        StaleRecord.record_kind == "readiness",
        StaleRecord.record_id == nomination_id,
        StaleRecord.reviewed_at.is_(None),
    )
    if review_by is not None:
        statement = statement.where(StaleRecord.review_by < review_by)
    session.execute(statement.values(reviewed_at=now))


def potential_reviewed(
    session: Session, employee_id: uuid.UUID, *, assessment_id: uuid.UUID, now: dt.datetime
) -> None:
    """A newer potential assessment supersedes the employee's stale ones."""
    session.execute(
        update(StaleRecord)
        .where(
            StaleRecord.record_kind == "potential",
            StaleRecord.employee_id == employee_id,
            StaleRecord.record_id != assessment_id,
            StaleRecord.reviewed_at.is_(None),
        )
        .values(reviewed_at=now)
    )


def remember_suggestions(
    session: Session, suggestions: Collection[tuple[uuid.UUID, uuid.UUID]], *, now: dt.datetime
) -> None:
    """(recommendation id, key role id) of successor suggestions, once each."""
    if not suggestions:
        return
    session.execute(
        insert(SuccessorSuggestion)
        .values(
            [
                {"recommendation_id": rec, "key_role_id": role, "received_at": now}
                for rec, role in suggestions
            ]
        )
        .on_conflict_do_nothing(index_elements=["recommendation_id"])
    )


def role_titles(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    if not ids:
        return {}
    rows = session.execute(
        select(KeyRoleSummary.key_role_id, KeyRoleSummary.title).where(
            KeyRoleSummary.key_role_id.in_(list(ids))
        )
    )
    return {row.key_role_id: row.title for row in rows}
