from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.schema import schema
from talent_platform.graphql import TalentContext

from ..factories import SETTINGS, execute, make_course, principal

COURSES = """
query($first: Int, $after: String, $search: String, $competencyCode: String, $modality: CourseModality) {
  courses(first: $first, after: $after, search: $search, competencyCode: $competencyCode,
          modality: $modality) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { code skills { competencyCode level } }
  }
}
"""


async def courses(session: AsyncSession, **variables: Any) -> dict[str, Any]:
    data = await execute(session, COURSES, as_=principal(), variables=variables)
    result: dict[str, Any] = data["courses"]
    return result


async def test_the_catalog_filters_by_text_competency_and_modality(session: AsyncSession) -> None:
    await make_course(session, code="PY-201", title="Python for analysts", skills={"python": 3})
    await make_course(
        session, code="PY-301", title="Advanced Python", modality="classroom", skills={"python": 4}
    )
    await make_course(session, code="SEC-101", title="Security basics", skills={"security": 2})

    by_text = await courses(session, search="python")
    by_skill = await courses(session, competencyCode="python", modality="CLASSROOM")
    by_code = await courses(session, search="sec-")

    assert [c["code"] for c in by_text["nodes"]] == ["PY-301", "PY-201"]  # by title
    assert by_skill["nodes"] == [
        {"code": "PY-301", "skills": [{"competencyCode": "python", "level": 4}]}
    ]
    assert [c["code"] for c in by_code["nodes"]] == ["SEC-101"]


async def test_the_catalog_is_paged(session: AsyncSession) -> None:
    for i in range(5):
        await make_course(session, code=f"C-{i}", title=f"Course {i}")

    first = await courses(session, first=2)
    second = await courses(session, first=2, after=first["pageInfo"]["endCursor"])

    assert [c["code"] for c in first["nodes"]] == ["C-0", "C-1"]
    assert [c["code"] for c in second["nodes"]] == ["C-2", "C-3"]
    assert (first["totalCount"], second["pageInfo"]["hasNextPage"]) == (5, True)


async def test_a_page_larger_than_the_maximum_is_refused(session: AsyncSession) -> None:
    context = TalentContext.with_session(session, principal=principal(), settings=SETTINGS)
    result = await schema.execute("{ courses(first: 1000) { totalCount } }", context_value=context)

    assert result.errors is not None
    assert "first: must be at most 100" in result.errors[0].message


async def test_a_course_is_resolvable_by_code_for_other_subgraphs(session: AsyncSession) -> None:
    await make_course(session, code="SEC-101", title="Security basics")

    data = await execute(
        session,
        """
        query($representations: [_Any!]!) {
          _entities(representations: $representations) { ... on Course { code title } }
        }
        """,
        as_=principal(),
        variables={
            "representations": [
                {"__typename": "Course", "code": "SEC-101"},
                {"__typename": "Course", "code": "NOPE"},
            ]
        },
    )

    assert data["_entities"] == [{"code": "SEC-101", "title": "Security basics"}, None]
