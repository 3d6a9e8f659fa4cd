"""Keeps the projection of people's data current, and adjusts running cycles.

Every employee event carries the full snapshot after the change, so each one is an
upsert of the whole row; the `updated_at` guard stops a stale re-delivery from
overwriting a newer state. After the upsert, every running cycle is adjusted for that
employee: a hire or a transfer into the population creates their reviews, a transfer out
or a termination cancels the drafts, a new manager takes over the draft manager review.
A job profile's new requirements join its holders' draft reviews.

The projection itself is the platform's (`talent_platform.employees`): employee events
come as a batch's run, applied in waves in which each employee occurs once, one upsert
and one adjustment of the running cycles per wave.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.people import CompetencyUpdated, JobProfileUpdated
from talent_performance.cycles.models import ReviewCycle
from talent_performance.cycles.population import (
    cancel_reviews,
    in_population,
    insert_review_competencies,
    insert_reviews,
    restore_reviews,
)
from talent_performance.people.models import (
    CompetencyProjection,
    EmployeeProjection,
    JobProfileProjection,
    JobProfileRequirement,
)
from talent_platform.employees import EMPLOYEE_EVENTS, EmployeeItem, employee_handler
from talent_platform.events import Envelope, HandlerRegistry

# Phases in which the population still changes; from calibration on it is fixed.
ADJUSTABLE_PHASES = ("goal_setting", "self_review", "peer_feedback", "manager_review")

registry = HandlerRegistry()


def on_employees(session: Session, wave: Sequence[EmployeeItem], applied: set[uuid.UUID]) -> None:
    """After the projection's upsert: adjust the running cycles for the employees whose
    row changed (not a stale re-delivery's)."""
    if applied:
        adjust_running_cycles(session, applied)


registry.on_batch(*EMPLOYEE_EVENTS)(employee_handler(EmployeeProjection, then=on_employees))


def running_cycles(session: Session) -> list[ReviewCycle]:
    """Cycles whose population and reviews still follow people's changes."""
    return list(
        session.scalars(
            select(ReviewCycle).where(
                ReviewCycle.status == "active", ReviewCycle.phase.in_(ADJUSTABLE_PHASES)
            )
        ).all()
    )


def adjust_running_cycles(session: Session, employee_ids: Collection[uuid.UUID]) -> None:
    for cycle in running_cycles(session):
        members = set(
            session.scalars(
                select(EmployeeProjection.employee_id).where(
                    EmployeeProjection.employee_id.in_(employee_ids), in_population(cycle)
                )
            )
        )
        leavers = [e for e in employee_ids if e not in members]
        if leavers:
            session.execute(cancel_reviews(cycle, leavers))
        if members:
            session.execute(restore_reviews(cycle, members))
            session.execute(insert_reviews(cycle, only=members))
            session.execute(insert_review_competencies(cycle, only=members))


@registry.on(JobProfileUpdated)
def project_job_profile(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    """Replace the profile and its full requirement list (the event carries all of it)."""
    assert isinstance(payload, JobProfileUpdated)
    statement = insert(JobProfileProjection).values(
        code=payload.code,
        title=payload.title,
        family=payload.family,
        level=payload.level,
        updated_at=envelope.time,
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
        return  # a stale re-delivery
    session.execute(
        delete(JobProfileRequirement).where(JobProfileRequirement.job_profile_code == payload.code)
    )
    if payload.requirements:
        session.execute(
            insert(JobProfileRequirement),
            [
                {
                    "job_profile_code": payload.code,
                    "competency_code": r.competency_code,
                    "required_level": r.required_level,
                    "importance": r.importance,
                }
                for r in payload.requirements
            ],
        )

    holders = session.scalars(
        select(EmployeeProjection.employee_id).where(
            EmployeeProjection.job_profile_code == payload.code,
            EmployeeProjection.status == "active",
        )
    ).all()
    if holders:
        for cycle in running_cycles(session):
            # Competencies the profile now requires join the holders' draft reviews;
            # ratings already given for dropped ones stay.
            session.execute(insert_review_competencies(cycle, only=holders))


@registry.on(CompetencyUpdated)
def project_competency(session: Session, payload: EventPayload, envelope: Envelope) -> None:
    assert isinstance(payload, CompetencyUpdated)
    statement = insert(CompetencyProjection).values(
        code=payload.code, name=payload.name, tier=payload.tier, updated_at=envelope.time
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
