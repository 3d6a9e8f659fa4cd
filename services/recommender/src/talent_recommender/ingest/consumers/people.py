"""People's events: employees (with the start of their current role), their job
history, the competency framework and job profiles' requirements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeHired,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
    JobHistoryRecorded,
    JobProfileUpdated,
)
from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_platform.events import Envelope, in_waves
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


@handles(EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)
def on_employees(session: Session, items: Items) -> None:
    for wave in in_waves(items, key=lambda item: item[0].employee.employee_id):
        project_employees(session, wave)


EMPLOYEE_COLUMNS = (
    "employee_id",
    "name",
    "status",
    "manager_id",
    "org_unit_code",
    "job_profile_code",
    "hire_date",
    "in_role_since",
    "updated_at",
)


def project_employees(session: Session, wave: Items) -> None:
    """Upsert each employee's row (each employee once in `wave`), unless a newer state is
    already projected (a stale re-delivery). The current role started on the hire date, or
    on a transfer's effective day; while the job profile stays, its start carries over.
    One statement, decided in PostgreSQL against the stored row."""
    rows = [
        {
            "employee_id": payload.employee.employee_id,
            "name": payload.employee.name,
            "status": payload.employee.status,
            "manager_id": payload.employee.manager_id,
            "org_unit_code": payload.employee.org_unit_code,
            "job_profile_code": payload.employee.job_profile_code,
            "hire_date": payload.employee.hire_date,
            "in_role_since": (
                payload.effective_on
                if isinstance(payload, EmployeeTransferred)
                else payload.employee.hire_date
            ),
            "updated_at": envelope.time,
        }
        for payload, envelope in wave
    ]
    statement = unnest_insert(Employee, EMPLOYEE_COLUMNS)
    excluded = statement.excluded
    changed: dict[str, Any] = {
        name: excluded[name]
        for name in EMPLOYEE_COLUMNS
        if name not in ("employee_id", "in_role_since")
    }
    changed["in_role_since"] = case(
        (
            Employee.job_profile_code.is_not_distinct_from(excluded.job_profile_code),
            func.coalesce(Employee.in_role_since, excluded.hire_date),
        ),
        else_=excluded.in_role_since,
    )
    applied = session.scalars(
        statement.on_conflict_do_update(
            index_elements=[Employee.employee_id],
            set_=changed,
            where=Employee.updated_at <= excluded.updated_at,
        ).returning(Employee.employee_id),
        unnest_params(rows, EMPLOYEE_COLUMNS),
    ).all()
    session.expire_all()
    mark_stale(session, applied)


@handles(JobHistoryRecorded)
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
