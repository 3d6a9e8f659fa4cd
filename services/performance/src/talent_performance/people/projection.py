"""Performance's projection of people's job profiles (with their required competencies)
and competencies, written from people's events. Every event carries the full state after
the change, so each is an upsert of the whole row; the `updated_at` guard stops a stale
re-delivery from overwriting a newer state."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.people import CompetencyUpdated, JobProfileUpdated
from talent_performance.people.models import (
    CompetencyProjection,
    EmployeeProjection,
    JobProfileProjection,
    JobProfileRequirement,
)


def upsert_job_profile(session: Session, profile: JobProfileUpdated, at: dt.datetime) -> bool:
    """Replace the profile and its full requirement list (the event carries all of it);
    False for a stale re-delivery, which changes nothing."""
    statement = insert(JobProfileProjection).values(
        code=profile.code,
        title=profile.title,
        family=profile.family,
        level=profile.level,
        updated_at=at,
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[JobProfileProjection.code],
        set_={
            "title": statement.excluded.title,
            "family": statement.excluded.family,
            "level": statement.excluded.level,
            "updated_at": statement.excluded.updated_at,
        },
        where=JobProfileProjection.updated_at <= statement.excluded.updated_at,
    ).returning(JobProfileProjection.code)
    if session.execute(upsert).first() is None:
        return False
    session.execute(
        delete(JobProfileRequirement).where(JobProfileRequirement.job_profile_code == profile.code)
    )
    if profile.requirements:
        session.execute(
            insert(JobProfileRequirement),
            [
                {
                    "job_profile_code": profile.code,
                    "competency_code": r.competency_code,
                    "required_level": r.required_level,
                    "importance": r.importance,
                }
                for r in profile.requirements
            ],
        )
    return True


def active_holders(session: Session, job_profile_code: str) -> list[uuid.UUID]:
    """The active employees in this job profile."""
    return list(
        session.scalars(
            select(EmployeeProjection.employee_id).where(
                EmployeeProjection.job_profile_code == job_profile_code,
                EmployeeProjection.status == "active",
            )
        ).all()
    )


def upsert_competency(session: Session, competency: CompetencyUpdated, at: dt.datetime) -> None:
    statement = insert(CompetencyProjection).values(
        code=competency.code, name=competency.name, tier=competency.tier, updated_at=at
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[CompetencyProjection.code],
            set_={
                "name": statement.excluded.name,
                "tier": statement.excluded.tier,
                "updated_at": statement.excluded.updated_at,
            },
            where=CompetencyProjection.updated_at <= statement.excluded.updated_at,
        )
    )
