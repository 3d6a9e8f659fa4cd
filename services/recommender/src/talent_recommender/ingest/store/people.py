"""People's projections, beyond the generic upsert: the start of an employee's current
role (in the employee upsert), job profiles' requirements, and the reads of employees
and job history that the consumers make."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, String, Uuid, any_, bindparam, case, delete, func, select
from sqlalchemy.orm import Session

from talent_platform.db.bulk import unnest_insert, unnest_params
from talent_recommender.ingest.models import Employee, JobHistory, JobRequirement

_CODES = bindparam("codes", type_=ARRAY(String))


def kept_role_start(excluded: Any) -> dict[str, Any]:
    """The employee upsert's `in_role_since`: while the job profile stays, its start
    carries over (decided in PostgreSQL against the stored row)."""
    return {
        "in_role_since": case(
            (
                Employee.job_profile_code.is_not_distinct_from(excluded.job_profile_code),
                func.coalesce(Employee.in_role_since, excluded.hire_date),
            ),
            else_=excluded.in_role_since,
        )
    }


def job_profiles_of(session: Session, employee_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The job profile of each of these employees who has one."""
    return {
        employee_id: profile
        for employee_id, profile in session.execute(
            select(Employee.employee_id, Employee.job_profile_code).where(
                Employee.employee_id == any_(bindparam("ids", type_=ARRAY(Uuid)))
            ),
            {"ids": employee_ids},
        )
        if profile is not None
    }


def requirements_of_profiles(
    session: Session, codes: Sequence[str]
) -> dict[str, dict[str, tuple[int, int]]]:
    """The stored requirements of these job profiles: profile code -> competency code ->
    (required level, importance)."""
    requirements: dict[str, dict[str, tuple[int, int]]] = {}
    for code, competency, level, importance in session.execute(
        select(
            JobRequirement.job_profile_code,
            JobRequirement.competency_code,
            JobRequirement.required_level,
            JobRequirement.importance,
        ).where(JobRequirement.job_profile_code == any_(_CODES)),
        {"codes": codes},
    ):
        requirements.setdefault(code, {})[competency] = (level, importance)
    return requirements


def replace_requirements(
    session: Session, codes: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """The requirements of these job profiles become `rows` (job_profile_code,
    competency_code, required_level, importance): two statements."""
    session.execute(
        delete(JobRequirement).where(JobRequirement.job_profile_code == any_(_CODES)),
        {"codes": codes},
    )
    if rows:
        names = list(rows[0])
        session.execute(unnest_insert(JobRequirement, names), unnest_params(rows, names))


def holders_of(session: Session, codes: Sequence[str]) -> Sequence[uuid.UUID]:
    """The employees who hold one of these job profiles now."""
    return session.scalars(
        select(Employee.employee_id).where(Employee.job_profile_code == any_(_CODES)),
        {"codes": codes},
    ).all()


def former_holders_of(session: Session, codes: Sequence[str]) -> Sequence[uuid.UUID]:
    """The employees whose job history holds one of these job profiles."""
    return session.scalars(
        select(JobHistory.employee_id).where(JobHistory.job_profile_code == any_(_CODES)),
        {"codes": codes},
    ).all()
