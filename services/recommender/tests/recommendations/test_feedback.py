"""Recommendation ids, the issued record, acceptance through learning's enrollments,
dismissal by id, the feedback events, and batched visibility checks."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from talent_contracts.learning import EnrollmentAssigned, EnrollmentCancelled
from talent_recommender.db import messaging
from talent_recommender.recommendations.issuing import (
    IssuedItem,
    course_recommendation_id,
    issue,
    successor_recommendation_id,
)
from talent_recommender.recommendations.models import IssuedRecommendation
from talent_recommender.recommendations.scoring import (
    ACCEPTED_PENALTY,
    Basis,
    CandidateCourse,
    Gap,
    PeerContext,
    rank_courses,
)

from ..factories import (
    HR,
    as_employee,
    assessed,
    deliver,
    employee_id,
    employee_view,
    execute,
    hired,
)
from ..world import build_world

HISTORY = """
query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee {
  recommendationHistory { id kind course { code } score accepted acceptedAt acceptedVia } } } }
"""


def served(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["course"]["code"]: r for r in view["recommendedCourses"]}


async def outbox_events(session: AsyncSession, event_type: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(messaging.outbox.c.payload)
        .where(messaging.outbox.c.event_type == event_type)
        .order_by(messaging.outbox.c.id)
    )
    return [json.loads(p) for p in rows.scalars().all()]


async def history(session: AsyncSession, number: str, **kw: Any) -> list[dict[str, Any]]:
    data = await execute(
        session,
        HISTORY,
        as_=kw.get("as_", HR),
        variables={"r": [{"__typename": "Employee", "id": str(employee_id(number))}]},
    )
    found: list[dict[str, Any]] | None = data["_entities"][0]["recommendationHistory"]
    assert found is not None
    return found


def assigned(
    number: str, course_code: str, *, recommendation_id: uuid.UUID | None
) -> EnrollmentAssigned:
    return EnrollmentAssigned(
        enrollment_id=uuid.uuid4(),
        employee_id=employee_id(number),
        course_code=course_code,
        due_on=None,
        reason="recommendation" if recommendation_id else "manager",
        recommendation_id=recommendation_id,
    )


async def test_a_recommendation_keeps_its_id_and_is_issued_once(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))

    first = served(await employee_view(session, "E1"))
    again = served(await employee_view(session, "E1"))

    assert {c: r["id"] for c, r in first.items()} == {c: r["id"] for c, r in again.items()}
    assert first["FM-3"]["id"] == str(course_recommendation_id(employee_id("E1"), "FM-3"))
    issued = await outbox_events(session, "talent.recommender.recommendation.issued.v1")
    assert sorted(e["course_code"] for e in issued) == sorted(first)
    fm3 = next(e for e in issued if e["course_code"] == "FM-3")
    assert fm3["recommendation_id"] == first["FM-3"]["id"] and fm3["kind"] == "course"
    assert fm3["reasons"] == first["FM-3"]["reasons"]
    records = {r["course"]["code"]: r for r in await history(session, "E1")}
    assert set(records) == set(first)
    assert records["FM-3"]["accepted"] is False and records["FM-3"]["acceptedAt"] is None


async def test_issue_records_successor_suggestions_too(session: AsyncSession) -> None:
    await build_world(session)
    key_role = uuid.uuid4()
    items = [
        IssuedItem(employee_id=employee_id("E1"), score=0.8, key_role_id=key_role),
        IssuedItem(employee_id=employee_id("E2"), score=0.6, key_role_id=key_role),
    ]

    new = await issue(session, "successor", items, model_version=None)
    again = await issue(session, "successor", items, model_version=None)

    assert new == {successor_recommendation_id(employee_id(n), key_role) for n in ("E1", "E2")}
    assert again == set()
    row = await session.get(
        IssuedRecommendation, successor_recommendation_id(employee_id("E1"), key_role)
    )
    assert row is not None and row.kind == "successor" and row.key_role_id == key_role
    # Successor suggestions are for hr_leader and admin: an hr_coordinator's history
    # lists courses only.
    assert await history(session, "E1", as_=HR) == []


async def test_an_accepted_recommendation_is_recorded_once_and_leaves_the_list(
    session: AsyncSession,
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    before = served(await employee_view(session, "E1"))
    rid = uuid.UUID(before["FM-3"]["id"])
    enrollment = assigned("E1", "FM-3", recommendation_id=rid)

    await deliver(session, enrollment)
    await deliver(session, enrollment)  # redelivered / replayed

    after = served(await employee_view(session, "E1"))
    assert "FM-3" not in after
    record = {r["course"]["code"]: r for r in await history(session, "E1")}["FM-3"]
    assert (record["accepted"], record["acceptedVia"]) == (True, "ENROLLMENT")
    feedback = await outbox_events(session, "talent.recommender.recommendation.feedback.v1")
    assert len(feedback) == 1
    assert {k: feedback[0][k] for k in ("kind", "recommendation_id", "course_code", "by")} == {
        "kind": "accepted",
        "recommendation_id": str(rid),
        "course_code": "FM-3",
        "by": "learning",
    }
    assert feedback[0]["enrollment_id"] == str(enrollment.enrollment_id)
    # The gap is being addressed: other Financial Modelling courses rank lower, and say so.
    for code in ("FM-4", "FM-4B"):
        assert after[code]["score"] < before[code]["score"]
        assert (
            "ranked lower: an accepted course already addresses Financial Modelling"
            in after[code]["reasons"]
        )


async def test_a_cancelled_enrollment_brings_the_course_back(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    before = served(await employee_view(session, "E1"))
    enrollment = assigned("E1", "FM-3", recommendation_id=uuid.UUID(before["FM-3"]["id"]))
    await deliver(session, enrollment)
    assert "FM-3" not in served(await employee_view(session, "E1"))

    cancelled = EnrollmentCancelled(
        enrollment_id=enrollment.enrollment_id, employee_id=employee_id("E1"), course_code="FM-3"
    )
    await deliver(session, cancelled, enrollment)  # a replay of the assignment after it

    back = served(await employee_view(session, "E1"))
    assert "FM-3" in back
    assert back["FM-4"]["score"] == before["FM-4"]["score"]


async def test_a_plain_assignment_hides_the_course_without_counting_as_acceptance(
    session: AsyncSession,
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    before = served(await employee_view(session, "E1"))

    await deliver(session, assigned("E1", "FM-3", recommendation_id=None))

    after = served(await employee_view(session, "E1"))
    assert "FM-3" in before and "FM-3" not in after
    assert not any("accepted course" in reason for r in after.values() for reason in r["reasons"])
    assert not any(r["accepted"] for r in await history(session, "E1"))
    assert await outbox_events(session, "talent.recommender.recommendation.feedback.v1") == []


async def test_an_id_issued_for_another_employee_or_never_issued_is_not_accepted(
    session: AsyncSession,
) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    e1 = served(await employee_view(session, "E1"))

    await deliver(
        session,
        assigned("E2", "FM-3", recommendation_id=uuid.UUID(e1["FM-3"]["id"])),
        assigned("E1", "FM-4", recommendation_id=uuid.uuid4()),
    )

    assert not any(r["accepted"] for r in await history(session, "E1"))
    assert await outbox_events(session, "talent.recommender.recommendation.feedback.v1") == []


def test_accepted_courses_lower_others_on_the_same_competency() -> None:
    gap = Gap("fin-model", "Financial Modelling", 4, 5, 2.0, 0.8, Basis.EVIDENCE, 2.0, 10.0)
    other = Gap("excel", "Excel", 3, 3, 2.0, 0.8, Basis.EVIDENCE, 1.0, 3.0)
    candidates = [
        CandidateCourse("FM-3", "FM 3", {"fin-model": 3}),
        CandidateCourse("FM-4", "FM 4", {"fin-model": 4}),
        CandidateCourse("XL-3", "XL 3", {"excel": 3}),
    ]
    peers = PeerContext(title="Analyst", headcount=1, completions={})

    def rank(**kw: Any) -> dict[str, Any]:
        ranked = rank_courses(
            [gap, other],
            candidates,
            target_title="Analyst",
            peers=peers,
            completed=set(),
            dismissed=set(),
            dismissed_competencies=Counter(),
            first=10,
            **kw,
        )
        return {r.code: r for r in ranked}

    # Any open enrollment keeps its course out; only an accepted one lowers the others.
    plain = rank(enrolled={"FM-3"})
    accepted = rank(enrolled={"FM-3"}, addressed={"fin-model": 1})

    assert "FM-3" not in accepted
    assert accepted["FM-4"].score == round(plain["FM-4"].score * ACCEPTED_PENALTY, 4)
    assert accepted["XL-3"].score == plain["XL-3"].score
    assert "ranked lower: an accepted course already addresses Financial Modelling" in (
        accepted["FM-4"].reasons
    )


DISMISS = """
mutation($input: DismissRecommendationInput!) {
  dismissRecommendation(input: $input) {
    __typename
    ... on DismissRecommendationPayload { dismissal { course { code } employee { id } } }
    ... on ValidationError { fields { field message } }
    ... on NotFound { entity key }
  }
}
"""


async def dismiss(session: AsyncSession, input: dict[str, Any]) -> dict[str, Any]:
    data = await execute(
        session, DISMISS, as_=as_employee(employee_id("E1")), variables={"input": input}
    )
    result: dict[str, Any] = data["dismissRecommendation"]
    return result


async def test_dismissing_by_recommendation_id_publishes_feedback(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    rid = served(await employee_view(session, "E1"))["FM-3"]["id"]

    result = await dismiss(session, {"recommendationId": rid, "reason": "done elsewhere"})

    assert result == {
        "__typename": "DismissRecommendationPayload",
        "dismissal": {"course": {"code": "FM-3"}, "employee": {"id": str(employee_id("E1"))}},
    }
    assert "FM-3" not in served(await employee_view(session, "E1"))
    feedback = await outbox_events(session, "talent.recommender.recommendation.feedback.v1")
    assert [(f["kind"], f["recommendation_id"], f["reason"], f["by"]) for f in feedback] == [
        ("dismissed", rid, "done elsewhere", str(employee_id("E1")))
    ]


async def test_dismissal_names_what_is_missing_or_unknown(session: AsyncSession) -> None:
    await build_world(session)
    nothing = await dismiss(session, {"reason": "no"})
    both = await dismiss(
        session,
        {"recommendationId": str(uuid.uuid4()), "courseCode": "FM-3", "reason": "no"},
    )
    unknown_id = str(uuid.uuid4())
    unknown = await dismiss(session, {"recommendationId": unknown_id, "reason": "no"})
    malformed = await dismiss(session, {"recommendationId": "nope", "reason": "no"})

    assert nothing == {
        "__typename": "ValidationError",
        "fields": [
            {"field": "input.employeeId", "message": "required unless recommendationId is given"},
            {"field": "input.courseCode", "message": "required unless recommendationId is given"},
        ],
    }
    assert both["__typename"] == "ValidationError"
    assert both["fields"][0]["field"] == "input.recommendationId"
    assert unknown == {"__typename": "NotFound", "entity": "recommendation", "key": unknown_id}
    assert malformed == {
        "__typename": "ValidationError",
        "fields": [{"field": "input.recommendationId", "message": "not a recommendation id"}],
    }


async def test_team_actions_carry_the_same_recommendation_ids(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E1", "fin-model", 2))
    data = await execute(
        session,
        """query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee {
             teamDevelopmentActions { employee { id } kind course { code } recommendationId } } } }""",
        as_=as_employee(employee_id("M1")),
        variables={"r": [{"__typename": "Employee", "id": str(employee_id("M1"))}]},
    )

    actions = data["_entities"][0]["teamDevelopmentActions"]
    courses = [a for a in actions if a["kind"] == "COURSE"]
    assert courses
    for a in courses:
        expected = course_recommendation_id(uuid.UUID(a["employee"]["id"]), a["course"]["code"])
        assert a["recommendationId"] == str(expected)
    assert all(a["recommendationId"] is None for a in actions if a["kind"] == "ASSESSMENT")
    issued = await outbox_events(session, "talent.recommender.recommendation.issued.v1")
    assert {e["recommendation_id"] for e in issued} == {a["recommendationId"] for a in courses}


async def test_visibility_of_many_entities_is_checked_in_one_batch(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    """A manager's team page: the gateway sends every report in one `_entities` call."""
    await build_world(session)
    reports = [f"R{i}" for i in range(11)]
    await deliver(
        session,
        hired("M9", profile="fin-manager"),
        *(hired(n, profile="analyst", manager="M9") for n in reports),
    )
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Employee {
      id recommendationHistory { id } } } }"""
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    async def team_page(numbers: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
        statements.clear()
        data = await execute(
            session,
            query,
            as_=as_employee(employee_id("M9")),
            variables={
                "r": [{"__typename": "Employee", "id": str(employee_id(n))} for n in numbers]
            },
        )
        return data["_entities"], list(statements)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        small, small_sql = await team_page(reports[:3])
        large, large_sql = await team_page(reports)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert all(e["recommendationHistory"] == [] for e in small + large)
    assert len(large) == 11

    def visibility(sql: list[str]) -> list[str]:
        return [s for s in sql if "FROM employee" in s]

    # Looking the employees up and walking their reporting chains: twice per request,
    # however many employees; only each one's own history read grows with the page.
    assert len(visibility(small_sql)) == len(visibility(large_sql)) == 2
    assert len(large_sql) - len(small_sql) == 11 - 3
