"""createCourse, updateCourse and retireCourse, and the catalog filters they feed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import CoursePublished, CourseRetired, CourseUpdated

from ..factories import HR, execute, make_employee, principal, published

MUTATE = """
mutation($create: CreateCourseInput!, $update: UpdateCourseInput!) {
  created: createCourse(input: $create) {
    __typename
    ... on CoursePayload { course { code modality language provider version selfEnrollment active } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
  updated: updateCourse(input: $update) {
    __typename
    ... on CoursePayload { course { code title version recertifyMonths skills { competencyCode level } } }
  }
}
"""

SEARCH = """
query($search: String, $modality: CourseModality, $max: Float, $retired: Boolean!, $competency: String, $level: Int) {
  courses(search: $search, modality: $modality, maxDurationHours: $max, includeRetired: $retired,
          competencyCode: $competency, minCompetencyLevel: $level) { nodes { code active } }
}
"""


def course_input(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "title": f"Course {code}",
        "modality": "VIRTUAL",
        "durationHours": 2,
        "language": "fr",
        "provider": "Acme Academy",
        "selfEnrollment": True,
        "skills": [{"competencyCode": "python", "level": 3}],
        **extra,
    }


async def test_hr_manages_the_catalog_and_every_change_is_published(session: AsyncSession) -> None:
    data = await execute(
        session,
        MUTATE,
        as_=HR,
        variables={
            "create": course_input("PY-1"),
            "update": {
                "code": "PY-1",
                "title": "Python, revised",
                "recertifyMonths": 24,
                "skills": [{"competencyCode": "python", "level": 4}],
            },
        },
    )
    retired = await execute(
        session,
        'mutation { retireCourse(input: {code: "PY-1"}) { ... on CoursePayload { course { active retiredAt } } } }',
        as_=HR,
    )

    assert data["created"]["course"] == {
        "code": "PY-1",
        "modality": "VIRTUAL",
        "language": "fr",
        "provider": "Acme Academy",
        "version": 1,
        "selfEnrollment": True,
        "active": True,
    }
    assert data["updated"]["course"] == {
        "code": "PY-1",
        "title": "Python, revised",
        "version": 2,
        "recertifyMonths": 24,
        "skills": [{"competencyCode": "python", "level": 4}],
    }
    assert retired["retireCourse"]["course"]["active"] is False
    assert [e.code for e in await published(session, CoursePublished)] == ["PY-1"]
    (updated,) = await published(session, CourseUpdated)
    assert (updated.version, updated.skills[0].level) == (2, 4)
    assert [e.code for e in await published(session, CourseRetired)] == ["PY-1"]


async def test_only_hr_manages_the_catalog_and_inputs_are_checked(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E1")
    create_only = MUTATE.split("updated:")[0].replace(", $update: UpdateCourseInput!", "") + "}"
    as_employee = await execute(
        session, create_only, as_=principal(ada), variables={"create": course_input("X-1")}
    )
    bad = await execute(
        session,
        create_only,
        as_=HR,
        variables={
            "create": course_input(
                "X-2", durationHours=-1, skills=[{"competencyCode": "a", "level": 9}]
            )
        },
    )

    assert as_employee["created"]["__typename"] == "Forbidden"
    assert {f["field"] for f in bad["created"]["fields"]} == {
        "input.durationHours",
        "input.skills[0].level",
    }


async def test_the_catalog_filters_by_modality_duration_competency_and_retirement(
    session: AsyncSession,
) -> None:
    await execute(
        session,
        """mutation($a: CreateCourseInput!, $b: CreateCourseInput!, $c: CreateCourseInput!) {
             a: createCourse(input: $a) { __typename } b: createCourse(input: $b) { __typename }
             c: createCourse(input: $c) { __typename }
             retireCourse(input: {code: "OLD"}) { __typename } }""",
        as_=HR,
        variables={
            "a": course_input("SHORT", durationHours=1, description="Pandas for analysts"),
            "b": course_input("LONG", durationHours=16, modality="CLASSROOM"),
            "c": course_input("OLD", durationHours=1),
        },
    )

    async def codes(**v: Any) -> list[str]:
        data = await execute(session, SEARCH, as_=principal(), variables={"retired": False, **v})
        return sorted(n["code"] for n in data["courses"]["nodes"])

    assert await codes(max=4) == ["SHORT"]
    assert await codes(modality="CLASSROOM") == ["LONG"]
    assert await codes(search="pandas") == ["SHORT"]
    assert await codes(competency="python", level=3) == ["LONG", "SHORT"]
    assert await codes(competency="python", level=4) == []
    assert await codes(max=4, retired=True) == ["OLD", "SHORT"]
