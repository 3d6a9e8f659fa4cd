"""Keeps the projection of people's data current, and adjusts running cycles.

Every employee event carries the full snapshot after the change, so each one is an
upsert of the whole row; the `updated_at` guard stops a stale re-delivery from
overwriting a newer state. After the upsert, every running cycle is adjusted for that
employee: a hire or a transfer into the population creates their reviews, a transfer out
or a termination cancels the drafts, a new manager takes over the draft manager review.
A job profile's new requirements join its holders' draft reviews.

Employee events come as a batch's run, applied in waves in which each employee occurs
once (`in_waves`): one upsert and one adjustment of the running cycles per wave, which is
what the events do one by one, since one employee's events touch no other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeHired,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
    JobProfileUpdated,
)
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
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import BatchItem, Envelope, HandlerRegistry, in_waves

EMPLOYEE_EVENTS = (EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)
# Phases in which the population still changes; from calibration on it is fixed.
ADJUSTABLE_PHASES = ("goal_setting", "self_review", "peer_feedback", "manager_review")

registry = HandlerRegistry()


@registry.on_batch(*EMPLOYEE_EVENTS)
def project_employees(session: Session, items: Sequence[BatchItem]) -> None:
    """Per wave of distinct employees: one upsert of their rows, then one adjustment of
    the running cycles for those whose row changed (not a stale re-delivery)."""
    for payload, _ in items:
        if not isinstance(payload, EMPLOYEE_EVENTS):
            raise TypeError(f"not an employee event: {type(payload).__name__}")
    for wave in in_waves(items, key=lambda item: item[0].employee.employee_id):  # type: ignore[attr-defined]
        applied = upsert_employees(session, wave)
        if applied:
            adjust_running_cycles(session, applied)


EMPLOYEE_COLUMNS = (
    "employee_id",
    "employee_number",
    "name",
    "email",
    "status",
    "hire_date",
    "manager_id",
    "org_unit_code",
    "job_profile_code",
    "location",
    "updated_at",
    "terminated_on",
)


def upsert_employees(session: Session, wave: Sequence[BatchItem]) -> list[uuid.UUID]:
    """Upsert the rows (each employee at most once in `wave`); returns the employees whose
    row was written (an event older than the stored row is not). Only a termination sets
    `terminated_on`."""
    rows = []
    for payload, envelope in wave:
        assert isinstance(payload, EMPLOYEE_EVENTS)
        snapshot = payload.employee
        rows.append(
            {
                "employee_id": snapshot.employee_id,
                "employee_number": snapshot.employee_number,
                "name": snapshot.name,
                "email": snapshot.email,
                "status": snapshot.status,
                "hire_date": snapshot.hire_date,
                "manager_id": snapshot.manager_id,
                "org_unit_code": snapshot.org_unit_code,
                "job_profile_code": snapshot.job_profile_code,
                "location": snapshot.location,
                "updated_at": envelope.time,
                "terminated_on": (
                    payload.terminated_on if isinstance(payload, EmployeeTerminated) else None
                ),
            }
        )
    statement = unnest_insert(EmployeeProjection, EMPLOYEE_COLUMNS)
    changed: dict[str, Any] = {
        name: statement.excluded[name]
        for name in EMPLOYEE_COLUMNS
        if name not in ("employee_id", "terminated_on")
    }
    changed["terminated_on"] = func.coalesce(
        statement.excluded.terminated_on, EmployeeProjection.terminated_on
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[EmployeeProjection.employee_id],
        set_=changed,
        where=EmployeeProjection.updated_at <= statement.excluded.updated_at,
    ).returning(EmployeeProjection.employee_id)
    return list(session.scalars(upsert, unnest_params(rows, EMPLOYEE_COLUMNS)))


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
