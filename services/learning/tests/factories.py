"""Typed factories and helpers shared by the learning tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts import EventPayload, parse_payload
from talent_devtools.testing.graphql import ErrorAt, execute_refusable
from talent_learning.completions.models import Completion
from talent_learning.config import LearningSettings
from talent_learning.courses.models import Course, CourseSkill
from talent_learning.db import messaging
from talent_learning.people.models import EmployeeHistory, EmployeeProjection
from talent_learning.schema import schema
from talent_platform.auth import Principal, Role
from talent_platform.graphql import TalentContext

SETTINGS = LearningSettings(environment="test")


def principal(employee: EmployeeProjection | None = None, *roles: Role) -> Principal:
    """The principal of a token for `employee` (a service account when None)."""
    if employee is None:
        return Principal(subject="service-account", employee_id=None, roles=frozenset(roles))
    return Principal(
        subject=str(employee.employee_id),
        employee_id=employee.employee_id,
        roles=frozenset(roles or (Role.EMPLOYEE,)),
    )


HR = Principal(subject="hr-coordinator", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
ADMIN = Principal(subject="admin", employee_id=None, roles=frozenset({Role.ADMIN}))


async def execute(
    session: AsyncSession,
    query: str,
    *,
    as_: Principal,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run an operation through the real schema, in the test's session; fails on errors."""
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def refused(
    session: AsyncSession,
    query: str,
    *,
    as_: Principal,
    variables: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[ErrorAt]]:
    """Run an operation that may be refused in places (see `execute_refusable`)."""
    context = TalentContext.with_session(session, principal=as_, settings=SETTINGS)
    return await execute_refusable(schema, context, query, variables)


async def make_employee(
    session: AsyncSession,
    *,
    number: str,
    manager: EmployeeProjection | None = None,
    status: str = "active",
    name: str | None = None,
    org_unit: str | None = None,
    location: str | None = None,
    job_profile: str | None = None,
    hire_date: dt.date | None = None,
) -> EmployeeProjection:
    """A row of learning's projection, as people's events would have built it."""
    employee = EmployeeProjection(
        employee_id=uuid.uuid4(),
        employee_number=number,
        name=name or f"Employee {number}",
        email=f"{number.lower()}@example.com",
        status=status,
        manager_id=manager.employee_id if manager else None,
        org_unit_code=org_unit,
        location=location,
        job_profile_code=job_profile,
        hire_date=hire_date,
        updated_at=dt.datetime.now(dt.UTC),
    )
    session.add(employee)
    # One open history interval, as the consumer (or the migration's backfill) records it.
    session.add(
        EmployeeHistory(
            employee_id=employee.employee_id,
            valid_from=hire_date or dt.date(2000, 1, 1),
            status=status,
            manager_id=employee.manager_id,
            org_unit_code=org_unit,
            location=location,
            job_profile_code=job_profile,
            hire_date=hire_date,
            recorded_at=employee.updated_at,
        )
    )
    await session.flush()
    return employee


async def make_employees(session: AsyncSession, numbers: list[str]) -> None:
    """Many projection rows at once (for large imports)."""
    now = dt.datetime.now(dt.UTC)
    await session.execute(
        insert(EmployeeProjection),
        [
            {
                "employee_id": uuid.uuid4(),
                "employee_number": number,
                "name": f"Employee {number}",
                "email": f"{number.lower()}@example.com",
                "status": "active",
                "updated_at": now,
            }
            for number in numbers
        ],
    )


async def make_course(
    session: AsyncSession,
    *,
    code: str,
    title: str | None = None,
    modality: str = "e-learning",
    skills: dict[str, int] | None = None,
    recertify_months: int | None = None,
    self_enrollment: bool = False,
    duration_hours: float = 1.5,
) -> Course:
    course = Course(
        code=code,
        title=title or f"Course {code}",
        description="",
        duration_hours=duration_hours,
        modality=modality,
        mandatory=False,
        recertify_months=recertify_months,
        self_enrollment=self_enrollment,
    )
    session.add(course)
    await session.flush()
    for competency, level in (skills or {}).items():
        session.add(CourseSkill(course_id=course.id, competency_code=competency, level=level))
    await session.flush()
    return course


async def make_completion(
    session: AsyncSession,
    *,
    employee: EmployeeProjection,
    course: Course,
    completed_on: dt.date,
    score: float | None = None,
) -> Completion:
    completion = Completion(
        employee_id=employee.employee_id,
        course_id=course.id,
        completed_on=completed_on,
        score=score,
        source="import",
    )
    session.add(completion)
    await session.flush()
    return completion


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def published(session: AsyncSession, event_type: type[EventPayload]) -> list[Any]:
    """Payloads of this type in the outbox, oldest first."""
    outbox = messaging.outbox
    rows = await session.execute(
        select(outbox.c.payload)
        .where(outbox.c.event_type == event_type.event_type)
        .order_by(outbox.c.id)
    )
    return [parse_payload(event_type.event_type, bytes(p)) for p in rows.scalars()]


async def outbox_size(session: AsyncSession) -> int:
    return int(
        (await session.execute(select(func.count()).select_from(messaging.outbox))).scalar_one()
    )


ENTITY_COMPLETIONS = """
query($representations: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $representations) {
    ... on Employee {
      id
      completions(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { completedOn score source course { code title } }
      }
    }
  }
}
"""


async def completions_of(
    session: AsyncSession,
    employees: list[EmployeeProjection],
    *,
    as_: Principal,
    first: int | None = None,
    after: str | None = None,
) -> list[dict[str, Any] | None]:
    """Each employee's `completions` as the gateway would fetch them (through `_entities`);
    a refused one is None, and must come with a FORBIDDEN error at its path."""
    data, errors = await refused(
        session,
        ENTITY_COMPLETIONS,
        as_=as_,
        variables={
            "representations": [
                {"__typename": "Employee", "id": str(e.employee_id)} for e in employees
            ],
            "first": first,
            "after": after,
        },
    )
    pages = [entity["completions"] for entity in data["_entities"]]
    assert errors == [
        (("_entities", i, "completions"), "FORBIDDEN")
        for i, page in enumerate(pages)
        if page is None
    ]
    return pages


IMPORT = """
mutation($input: ImportLearningCsvInput!) {
  importLearningCsv(input: $input) {
    __typename
    ... on ImportPayload { kind rows created updated unchanged events dryRun }
    ... on ValidationError { message fields { field message } }
    ... on Forbidden { message }
  }
}
"""


async def import_csv(
    session: AsyncSession,
    kind: str,
    csv: str,
    *,
    as_: Principal = HR,
    dry_run: bool = False,
) -> dict[str, Any]:
    """`importLearningCsv` with kind COURSES, COURSE_SKILLS or COMPLETIONS."""
    data = await execute(
        session,
        IMPORT,
        as_=as_,
        variables={"input": {"kind": kind, "csv": csv, "dryRun": dry_run}},
    )
    result: dict[str, Any] = data["importLearningCsv"]
    return result


def fields_of(result: dict[str, Any]) -> dict[str, str]:
    """A ValidationError's field errors, by field."""
    assert result["__typename"] == "ValidationError", result
    return {f["field"]: f["message"] for f in result["fields"]}
