"""Typed event builders and helpers shared by the recommender tests.

Tests feed the recommender the way production does, through its event handlers, inside
the test's rolled-back transaction (`deliver`), then read through the real schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.learning import CoursePublished, CourseSkill, EnrollmentCompleted
from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeHired,
    EmployeeSnapshot,
    JobProfileUpdated,
    RequirementSnapshot,
)
from talent_contracts.performance import AssessmentSource, CompetencyAssessed
from talent_devtools.testing.graphql import ErrorAt, execute_refusable
from talent_platform.auth import Principal, Role
from talent_platform.events import Envelope
from talent_platform.graphql import TalentContext
from talent_recommender.config import RecommenderSettings
from talent_recommender.ingest.consumers import registry
from talent_recommender.schema import schema

SETTINGS = RecommenderSettings(environment="test")
TODAY = dt.date.today()

HR = Principal(subject="hr-coordinator", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
HR_LEADER = Principal(subject="hr-leader", employee_id=None, roles=frozenset({Role.HR_LEADER}))


def as_employee(employee_id: uuid.UUID) -> Principal:
    return Principal(
        subject=str(employee_id), employee_id=employee_id, roles=frozenset({Role.EMPLOYEE})
    )


def employee_id(number: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"talent-recommender-test/{number}")


def deliver_sync(session: Session, payload: EventPayload, *, at: dt.datetime | None = None) -> None:
    """Apply one event as the consumer loop applies a batch of one: its handler, then the
    end-of-batch step (estimates)."""
    registry.apply(session, [delivery(payload, at=at)])


def delivery(
    payload: EventPayload, *, at: dt.datetime | None = None
) -> tuple[EventPayload, Envelope]:
    service = payload.event_type.split(".")[1]
    envelope = Envelope.for_payload(payload, service=service)
    if at is not None:
        envelope = dataclasses.replace(envelope, time=at)
    return payload, envelope


async def deliver(session: AsyncSession, *payloads: EventPayload) -> None:
    """Apply these events as the consumer loop applies one batch of them."""
    await session.run_sync(lambda sync: registry.apply(sync, [delivery(p) for p in payloads]))


def hired(
    number: str,
    *,
    profile: str | None = "analyst",
    manager: str | None = None,
    hire_date: dt.date = dt.date(2020, 1, 6),
    org_unit: str = "finance",
) -> EmployeeHired:
    snapshot = EmployeeSnapshot(
        employee_id=employee_id(number),
        employee_number=number,
        name=f"Employee {number}",
        email=f"{number.lower()}@example.com",
        hire_date=hire_date,
        status="active",
        job_profile_code=profile,
        org_unit_code=org_unit,
        location="Lisbon",
        manager_id=employee_id(manager) if manager else None,
    )
    return EmployeeHired(employee_id=snapshot.employee_id, employee=snapshot)


def competency(code: str, name: str | None = None) -> CompetencyUpdated:
    return CompetencyUpdated(
        code=code, name=name or code.title(), tier="functional", description=""
    )


def job_profile(
    code: str, title: str, requirements: dict[str, tuple[int, int]]
) -> JobProfileUpdated:
    """requirements: competency code -> (required level, importance)."""
    return JobProfileUpdated(
        code=code,
        title=title,
        family="Finance",
        level=3,
        requirements=tuple(
            RequirementSnapshot(competency_code=c, required_level=lvl, importance=imp)
            for c, (lvl, imp) in requirements.items()
        ),
    )


def course(code: str, skills: dict[str, int], *, title: str | None = None) -> CoursePublished:
    return CoursePublished(
        code=code,
        title=title or f"Course {code}",
        description="",
        duration_hours=2.0,
        modality="e-learning",
        mandatory=False,
        recertify_months=None,
        skills=tuple(CourseSkill(competency_code=c, level=lvl) for c, lvl in skills.items()),
    )


def completed(
    number: str, course_code: str, *, on: dt.date = TODAY, score: float | None = 90.0
) -> EnrollmentCompleted:
    return EnrollmentCompleted(
        completion_id=uuid.uuid4(),
        employee_id=employee_id(number),
        course_code=course_code,
        completed_on=on,
        score=score,
        source="manual",
    )


def assessed(
    number: str,
    competency_code: str,
    level: int,
    *,
    source: AssessmentSource = "assessment",
    on: dt.date = TODAY,
) -> CompetencyAssessed:
    return CompetencyAssessed(
        assessment_id=uuid.uuid4(),
        employee_id=employee_id(number),
        competency_code=competency_code,
        level=level,
        source=source,
        assessed_on=on,
        assessor_id=None,
        cycle_id=None,
    )


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


ENTITY = """
query($representations: [_Any!]!, $target: String, $first: Int!) {
  _entities(representations: $representations) {
    ... on Employee {
      id
      skillProfile { competencyCode competencyName level confidence basis inferred
                     evidence { kind detail level weight on } }
      skillGaps(targetJobProfileCode: $target) {
        targetJobProfileCode targetTitle
        gaps { competencyCode requiredLevel importance estimate confidence basis gap weightedGap suggestAssessment }
      }
      recommendedCourses(first: $first, targetJobProfileCode: $target) { id course { code } score reasons competencyCodes }
    }
  }
}
"""


async def employee_view(
    session: AsyncSession,
    number: str,
    *,
    as_: Principal = HR,
    target: str | None = None,
    first: int = 10,
) -> dict[str, Any]:
    """What the gateway would fetch for one employee from this subgraph. A field the caller
    may not read is None, and must come with a FORBIDDEN error at its path."""
    data, errors = await refused(
        session,
        ENTITY,
        as_=as_,
        variables={
            "representations": [{"__typename": "Employee", "id": str(employee_id(number))}],
            "target": target,
            "first": first,
        },
    )
    found: dict[str, Any] = data["_entities"][0]
    assert errors == [
        (("_entities", 0, field), "FORBIDDEN") for field, value in found.items() if value is None
    ], errors
    return found
