"""Gaps against the current or a target job profile, and course recommendations with
reasons, exclusions, diversity and dismissals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.graphql import TalentContext
from talent_recommender.schema import schema

from ..factories import (
    HR,
    SETTINGS,
    as_employee,
    assessed,
    completed,
    deliver,
    employee_id,
    employee_view,
    execute,
)
from ..world import build_world


def gaps_by_code(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["competencyCode"]: g for g in view["skillGaps"]["gaps"]}


def codes(view: dict[str, Any]) -> list[str]:
    return [r["course"]["code"] for r in view["recommendedCourses"]]


async def test_gaps_against_the_current_and_a_target_job_profile(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2), assessed("E1", "excel", 3))

    current = await employee_view(session, "E1")
    target = await employee_view(session, "E1", target="fin-manager")

    assert current["skillGaps"]["targetTitle"] == "Financial Analyst"
    fin = gaps_by_code(current)["fin-model"]
    assert (fin["requiredLevel"], fin["estimate"], fin["gap"], fin["weightedGap"]) == (
        3,
        2.0,
        1.0,
        5.0,
    )
    assert fin["basis"] == "EVIDENCE" and fin["suggestAssessment"] is False
    assert gaps_by_code(current)["excel"]["gap"] == 0.0
    # No evidence at all for communication: estimate 1, and an assessment is suggested.
    comms = gaps_by_code(current)["comms"]
    assert (comms["basis"], comms["estimate"], comms["suggestAssessment"]) == ("NONE", 1.0, True)

    assert target["skillGaps"]["targetJobProfileCode"] == "fin-manager"
    assert gaps_by_code(target)["fin-model"]["gap"] == 2.0
    assert target["skillGaps"]["gaps"][0]["competencyCode"] == "fin-model"


async def test_an_unknown_target_profile_is_an_error(session: AsyncSession) -> None:
    await build_world(session)
    context = TalentContext.with_session(session, principal=HR, settings=SETTINGS)
    result = await schema.execute(
        """query($r: [_Any!]!) { _entities(representations: $r) {
             ... on Employee { skillGaps(targetJobProfileCode: "nope") { targetTitle } } } }""",
        variable_values={"r": [{"__typename": "Employee", "id": str(employee_id("E1"))}]},
        context_value=context,
    )
    assert result.errors is not None
    assert "job profile" in result.errors[0].message and "nope" in result.errors[0].message


@pytest.mark.parametrize("first", [-1, 51])
async def test_first_out_of_range_is_refused_not_clamped(session: AsyncSession, first: int) -> None:
    await build_world(session)
    context = TalentContext.with_session(session, principal=HR, settings=SETTINGS)
    result = await schema.execute(
        """query($r: [_Any!]!, $first: Int!) { _entities(representations: $r) {
             ... on Employee { id recommendedCourses(first: $first) { id } } } }""",
        variable_values={
            "r": [{"__typename": "Employee", "id": str(employee_id("E1"))}],
            "first": first,
        },
        context_value=context,
    )
    assert result.data == {
        "_entities": [{"id": str(employee_id("E1")), "recommendedCourses": None}]
    }
    assert result.errors is not None
    error = result.errors[0]
    assert (error.extensions or {})["code"] == "BAD_USER_INPUT"
    assert (error.extensions or {})["fields"][0]["field"] == "first"


async def test_courses_close_gaps_with_reasons_naming_levels_and_target(
    session: AsyncSession,
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2), assessed("E1", "excel", 2))

    view = await employee_view(session, "E1", target="fin-manager")

    recommended = {r["course"]["code"]: r for r in view["recommendedCourses"]}
    assert (
        "gap of 2 on Financial Modelling: estimated 2, Finance Manager requires 4"
        in (recommended["FM-4"]["reasons"])
    )
    assert "teaches Financial Modelling at level 4" in recommended["FM-4"]["reasons"]
    # FM-5 teaches level 5 to someone estimated at 2: far too advanced. FM-2 closes nothing.
    assert "FM-5" not in recommended and "FM-2" not in recommended
    # FM-4B closes two gaps at once and ranks first.
    assert codes(view)[0] == "FM-4B"
    scores = [r["score"] for r in view["recommendedCourses"]]
    assert scores == sorted(scores, reverse=True)


async def test_recommendations_are_diverse(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2), assessed("E1", "excel", 2))

    view = await employee_view(session, "E1", target="fin-manager", first=4)

    # Three fin-model courses score highest on their own, but the list spreads over
    # the gaps (leadership, communication) before repeating fin-model.
    competencies = [r["competencyCodes"][0] for r in view["recommendedCourses"]]
    assert len(set(competencies)) >= 3, competencies


async def test_completed_courses_are_not_recommended_and_gaps_shrink(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    before = await employee_view(session, "E1")
    assert "FM-3" in codes(before)

    await deliver(session, completed("E1", "FM-3", score=95), assessed("E1", "fin-model", 3))
    after = await employee_view(session, "E1")

    assert "FM-3" not in codes(after)
    assert gaps_by_code(after)["fin-model"]["gap"] < gaps_by_code(before)["fin-model"]["gap"]


async def test_peers_on_the_same_path_lift_a_course(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2), completed("E2", "FM-4", score=90))

    view = await employee_view(session, "E1")

    recommended = {r["course"]["code"]: r for r in view["recommendedCourses"]}
    assert "completed by 1 of 2 peers in Financial Analyst" in recommended["FM-4"]["reasons"]
    assert recommended["FM-4"]["score"] > recommended["FM-3"]["score"]


DISMISS = """
mutation($input: DismissRecommendationInput!) {
  dismissRecommendation(input: $input) {
    __typename
    ... on DismissRecommendationPayload { dismissal { reason course { code } employee { id } } }
    ... on ValidationError { fields { field message } }
    ... on NotFound { entity key }
  }
}
"""


async def dismiss(
    session: AsyncSession, number: str, course: str, reason: str, **kw: Any
) -> dict[str, Any]:
    data = await execute(
        session,
        DISMISS,
        as_=kw.get("as_", as_employee(employee_id(number))),
        variables={
            "input": {
                "employeeId": str(employee_id(number)),
                "courseCode": course,
                "reason": reason,
            }
        },
    )
    result: dict[str, Any] = data["dismissRecommendation"]
    return result


async def test_a_dismissed_course_never_comes_back_and_similar_ones_rank_lower(
    session: AsyncSession,
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2), assessed("E1", "excel", 2))
    before = await employee_view(session, "E1", target="fin-manager")
    score_before = {r["course"]["code"]: r["score"] for r in before["recommendedCourses"]}

    assert "XL-3" in score_before

    result = await dismiss(session, "E1", "XL-3", "took an equivalent course elsewhere")

    assert result["__typename"] == "DismissRecommendationPayload"
    assert result["dismissal"]["course"] == {"code": "XL-3"}
    after = await employee_view(session, "E1", target="fin-manager")
    score_after = {r["course"]["code"]: r for r in after["recommendedCourses"]}
    assert "XL-3" not in score_after
    # FM-4B also teaches Excel: it stays, lower, and says why.
    assert score_after["FM-4B"]["score"] < score_before["FM-4B"]
    assert "ranked lower: similar to a course dismissed earlier" in score_after["FM-4B"]["reasons"]


async def test_dismissal_validates_its_input(session: AsyncSession) -> None:
    await build_world(session)
    empty = await dismiss(session, "E1", "FM-4", "  ")
    unknown = await dismiss(session, "E1", "NOPE", "not relevant")

    assert empty == {
        "__typename": "ValidationError",
        "fields": [{"field": "input.reason", "message": "say why it is dismissed"}],
    }
    assert unknown == {"__typename": "NotFound", "entity": "course", "key": "NOPE"}


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [("E1", True), ("M1", True), ("E2", False), ("P1", False)],
)
async def test_who_sees_an_employees_recommendations(
    session: AsyncSession, viewer: str, visible: bool
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))

    view = await employee_view(session, "E1", as_=as_employee(employee_id(viewer)))

    fields = (view["skillProfile"], view["skillGaps"], view["recommendedCourses"])
    assert all(f is not None for f in fields) if visible else fields == (None, None, None)


async def test_a_colleague_cannot_dismiss_for_someone_else(session: AsyncSession) -> None:
    await build_world(session)
    result = await dismiss(session, "E1", "FM-4", "no", as_=as_employee(employee_id("E2")))
    assert result["__typename"] == "Forbidden"


TEAM = """
query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee {
  teamDevelopmentActions { employee { id } kind competencyCode course { code } score reasons } } } }
"""


async def test_a_manager_sees_development_actions_for_each_direct_report(
    session: AsyncSession,
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2), assessed("E2", "fin-model", 2))

    data = await execute(
        session,
        TEAM,
        as_=as_employee(employee_id("M1")),
        variables={"r": [{"__typename": "Employee", "id": str(employee_id("M1"))}]},
    )

    actions = data["_entities"][0]["teamDevelopmentActions"]
    by_employee: dict[str, list[dict[str, Any]]] = {}
    for a in actions:
        by_employee.setdefault(a["employee"]["id"], []).append(a)
    assert set(by_employee) == {str(employee_id("E1")), str(employee_id("E2"))}
    assert all(len(v) <= 3 for v in by_employee.values())
    e1 = by_employee[str(employee_id("E1"))]
    # E1 has no evidence on communication (required 2, importance 2) or the rest: the
    # fin-model gap is backed by an assessment, so it gets a course.
    assert any(a["kind"] == "COURSE" and a["competencyCode"] == "fin-model" for a in e1)
    assert all(a["reasons"] for a in actions)
