"""Events published by the people service on `talent.people.v1`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

from talent_contracts.base import EventPayload, event

EmployeeStatus = Literal["active", "terminated"]


class EmployeeSnapshot(BaseModel):
    """The employee as the people service knows them after the change."""

    model_config = ConfigDict(frozen=True)

    employee_id: uuid.UUID
    employee_number: str
    name: str
    email: str
    hire_date: dt.date
    status: EmployeeStatus
    job_profile_code: str | None
    org_unit_code: str | None
    location: str | None
    manager_id: uuid.UUID | None


@event("talent.people.employee.hired.v1")
class EmployeeHired(EventPayload):
    employee_id: uuid.UUID
    employee: EmployeeSnapshot


@event("talent.people.employee.updated.v1")
class EmployeeUpdated(EventPayload):
    """Name, email, location or org unit changed (not manager or job: see transferred)."""

    employee_id: uuid.UUID
    employee: EmployeeSnapshot
    changed_fields: tuple[str, ...]


@event("talent.people.employee.transferred.v1")
class EmployeeTransferred(EventPayload):
    """Manager or job profile changed."""

    employee_id: uuid.UUID
    employee: EmployeeSnapshot
    previous_manager_id: uuid.UUID | None
    previous_job_profile_code: str | None
    effective_on: dt.date


@event("talent.people.employee.terminated.v1")
class EmployeeTerminated(EventPayload):
    employee_id: uuid.UUID
    employee: EmployeeSnapshot
    terminated_on: dt.date


@event("talent.people.job_history.recorded.v1")
class JobHistoryRecorded(EventPayload):
    employee_id: uuid.UUID
    job_profile_code: str
    start_date: dt.date
    end_date: dt.date | None


class RequirementSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    competency_code: str
    required_level: int
    importance: int


@event("talent.people.job_profile.updated.v1", key_field="code")
class JobProfileUpdated(EventPayload):
    """A job profile was created or changed; carries its full requirement list."""

    code: str
    title: str
    family: str
    level: int
    requirements: tuple[RequirementSnapshot, ...]


@event("talent.people.competency.updated.v1", key_field="code")
class CompetencyUpdated(EventPayload):
    """A competency of the framework was created or changed."""

    code: str
    name: str
    tier: Literal["core", "functional", "leadership"]
    description: str
