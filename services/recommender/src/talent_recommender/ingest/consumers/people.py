"""People's events: employees (with the start of their current role), their job
history, the competency framework and job profiles' requirements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeTransferred,
    JobHistoryRecorded,
    JobProfileUpdated,
)
from talent_platform.employees import (
    EMPLOYEE_EVENTS,
    EmployeeEvent,
    EmployeeItem,
    employee_handler,
)
from talent_platform.events import Envelope, in_waves
from talent_recommender.ingest.consumers.runs import Items, handles
from talent_recommender.ingest.models import Competency, Employee, JobHistory, JobProfile
from talent_recommender.ingest.store import upsert
from talent_recommender.ingest.store.people import (
    former_holders_of,
    holders_of,
    kept_role_start,
    replace_requirements,
    requirements_of_profiles,
)
from talent_recommender.profiles.estimates import mark_stale


def role_start(payload: EmployeeEvent, envelope: Envelope) -> dict[str, Any]:
    """The current role started on the hire date, or on a transfer's effective day."""
    if isinstance(payload, EmployeeTransferred):
        return {"in_role_since": payload.effective_on}
    return {"in_role_since": payload.employee.hire_date}


def mark_changed(session: Session, wave: Sequence[EmployeeItem], applied: set[uuid.UUID]) -> None:
    session.expire_all()
    mark_stale(session, applied)


project_employees = employee_handler(
    Employee, then=mark_changed, values=role_start, changes=kept_role_start
)


@handles(*EMPLOYEE_EVENTS)
def on_employees(session: Session, items: Items) -> None:
    """Employees with the start of their current role, through the platform's projection
    handler (one guarded upsert per wave of distinct employees)."""
    project_employees(session, items)


# Independent: the one other reader, a job profile's update, reads job history to mark
# former holders stale, and this handler marks its own employees stale anyway.
@handles(JobHistoryRecorded, independent=True)
def on_job_history(session: Session, items: Items) -> None:
    rows = [
        {
            "employee_id": payload.employee_id,
            "job_profile_code": payload.job_profile_code,
            "start_date": payload.start_date,
            "end_date": payload.end_date,
        }
        for payload, _ in items
    ]
    upsert(
        session,
        JobHistory,
        rows,
        key=["employee_id", "job_profile_code", "start_date"],
        update=["end_date"],
    )
    mark_stale(session, {row["employee_id"] for row in rows})


@handles(CompetencyUpdated)
def on_competencies(session: Session, items: Items) -> None:
    rows = [{"code": p.code, "name": p.name, "tier": p.tier} for p, _ in items]
    upsert(session, Competency, rows, key=["code"], update=["name", "tier"])


@handles(JobProfileUpdated)
def on_job_profiles(session: Session, items: Items) -> None:
    """Per wave of distinct job profiles: one upsert of the profiles; the requirements of
    those whose requirements changed replaced in two statements; their holders, present
    and former, marked stale."""
    for wave in in_waves(items, key=lambda item: item[0].code):
        profiles: list[JobProfileUpdated] = [payload for payload, _ in wave]
        upsert(
            session,
            JobProfile,
            [
                {"code": p.code, "title": p.title, "family": p.family, "level": p.level}
                for p in profiles
            ],
            key=["code"],
            update=["title", "family", "level"],
        )
        before = requirements_of_profiles(session, [p.code for p in profiles])
        changed = [p for p in profiles if before.get(p.code, {}) != requirements_of(p)]
        if not changed:
            continue
        changed_codes = [p.code for p in changed]
        replace_requirements(
            session,
            changed_codes,
            [
                {
                    "job_profile_code": p.code,
                    "competency_code": code,
                    "required_level": level,
                    "importance": importance,
                }
                for p in changed
                for code, (level, importance) in requirements_of(p).items()
            ],
        )
        holders = holders_of(session, changed_codes)
        former = former_holders_of(session, changed_codes)
        mark_stale(session, {*holders, *former})


def requirements_of(profile: JobProfileUpdated) -> dict[str, tuple[int, int]]:
    return {r.competency_code: (r.required_level, r.importance) for r in profile.requirements}
