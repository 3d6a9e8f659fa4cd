"""People's events: employees (with the start of their current role), their job
history, the competency framework and job profiles' requirements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ARRAY, Uuid, any_, bindparam, delete, select
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

EmployeeEvent = EmployeeHired | EmployeeUpdated | EmployeeTransferred | EmployeeTerminated


@handles(EmployeeHired, EmployeeUpdated, EmployeeTransferred, EmployeeTerminated)
def on_employees(session: Session, items: Items) -> None:
    for wave in in_waves(items, key=lambda item: item[0].employee.employee_id):
        project_employees(session, wave)


def project_employees(session: Session, wave: Items) -> None:
    """Upsert each employee's row (each employee once in `wave`), unless a newer state is
    already projected (a stale re-delivery); the role's start carries over while the job
    profile stays."""
    ids = [payload.employee.employee_id for payload, _ in wave]
    current = {
        row.employee_id: row
        for row in session.execute(
            select(
                Employee.employee_id,
                Employee.updated_at,
                Employee.job_profile_code,
                Employee.in_role_since,
            ).where(Employee.employee_id == any_(bindparam("ids", type_=ARRAY(Uuid)))),
            {"ids": ids},
        )
    }
    rows: list[dict[str, Any]] = []
    for payload, envelope in wave:
        snapshot = payload.employee
        known = current.get(snapshot.employee_id)
        if known is not None and known.updated_at > envelope.time:
            continue  # a stale re-delivery: a newer state is already projected
        in_role_since: dt.date | None = snapshot.hire_date
        if known is not None and known.job_profile_code == snapshot.job_profile_code:
            in_role_since = known.in_role_since or snapshot.hire_date
        elif isinstance(payload, EmployeeTransferred):
            in_role_since = payload.effective_on
        rows.append(
            {
                "employee_id": snapshot.employee_id,
                "name": snapshot.name,
                "status": snapshot.status,
                "manager_id": snapshot.manager_id,
                "org_unit_code": snapshot.org_unit_code,
                "job_profile_code": snapshot.job_profile_code,
                "hire_date": snapshot.hire_date,
                "in_role_since": in_role_since,
                "updated_at": envelope.time,
            }
        )
    if not rows:
        return
    upsert(session, Employee, rows, key=["employee_id"], update=list(rows[0])[1:])
    session.expire_all()
    mark_stale(session, [row["employee_id"] for row in rows])


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
