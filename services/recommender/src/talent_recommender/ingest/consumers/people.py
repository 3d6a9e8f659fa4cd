"""People's events: employees (with the start of their current role), their job
history, the competency framework and job profiles' requirements."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
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
from talent_platform.events import Envelope
from talent_recommender.ingest.consumers.runs import (
    Items,
    handles,
    one_by_one,
    upsert,
)
from talent_recommender.ingest.models import (
    Competency,
    Employee,
    JobHistory,
    JobProfile,
    JobRequirement,
)
from talent_recommender.profiles.estimates import mark_stale


def role_start(payload: EmployeeEvent, envelope: Envelope) -> dict[str, Any]:
    """The current role started on the hire date, or on a transfer's effective day."""
    if isinstance(payload, EmployeeTransferred):
        return {"in_role_since": payload.effective_on}
    return {"in_role_since": payload.employee.hire_date}


def kept_role_start(excluded: Any) -> dict[str, Any]:
    """While the job profile stays, its start carries over (decided in PostgreSQL against
    the stored row)."""
    return {
        "in_role_since": case(
            (
                Employee.job_profile_code.is_not_distinct_from(excluded.job_profile_code),
                func.coalesce(Employee.in_role_since, excluded.hire_date),
            ),
            else_=excluded.in_role_since,
        )
    }


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


def on_job_profile(session: Session, payload: JobProfileUpdated, envelope: Envelope) -> None:
    statement = insert(JobProfile).values(
        code=payload.code, title=payload.title, family=payload.family, level=payload.level
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[JobProfile.code],
            set_={k: statement.excluded[k] for k in ("title", "family", "level")},
        )
    )
    before = _requirements(session, payload.code)
    after = {r.competency_code: (r.required_level, r.importance) for r in payload.requirements}
    if before == after:
        return
    session.execute(delete(JobRequirement).where(JobRequirement.job_profile_code == payload.code))
    if after:
        session.execute(
            insert(JobRequirement),
            [
                {
                    "job_profile_code": payload.code,
                    "competency_code": code,
                    "required_level": level,
                    "importance": importance,
                }
                for code, (level, importance) in after.items()
            ],
        )
    holders = session.scalars(
        select(Employee.employee_id).where(Employee.job_profile_code == payload.code)
    ).all()
    former = session.scalars(
        select(JobHistory.employee_id).where(JobHistory.job_profile_code == payload.code)
    ).all()
    mark_stale(session, {*holders, *former})


handles(JobProfileUpdated)(one_by_one(on_job_profile))


def _requirements(session: Session, code: str) -> dict[str, tuple[int, int]]:
    rows = session.execute(
        select(
            JobRequirement.competency_code, JobRequirement.required_level, JobRequirement.importance
        ).where(JobRequirement.job_profile_code == code)
    )
    return {c: (level, importance) for c, level, importance in rows.all()}
