"""Goals aligned in a cascade, weights, progress, visibility and check-ins."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import GoalUpdated
from talent_platform.auth import Principal

from ..factories import HR, execute, fields_of, make_cycle, make_employee, principal, published

CREATE = """
mutation($input: CreateGoalInput!) {
  createGoal(input: $input) {
    __typename
    ... on GoalPayload { goal { id scope weight progress status owner { id } parent { id } } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""
UPDATE = """
mutation($input: UpdateGoalInput!) {
  updateGoal(input: $input) {
    __typename
    ... on GoalPayload { goal { progress status } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}
"""
CASCADE = """
query($id: ID!) {
  goal(id: $id) { title children { title owner { id } children { title } } }
}
"""
GOALS = "query($owner: ID) { goals(ownerId: $owner) { totalCount nodes { title } } }"
CHECK_IN = """
mutation($input: AddCheckInInput!) {
  addCheckIn(input: $input) {
    __typename
    ... on CheckInPayload { checkIn { note author { id } goalId } }
    ... on Forbidden { message }
  }
}
"""
CHECK_INS = "query($e: ID!) { checkIns(employeeId: $e) { totalCount nodes { note } } }"


async def create(session: AsyncSession, as_: Principal, **values: Any) -> dict[str, Any]:
    values.setdefault("target", "measurable")
    values.setdefault("dueOn", "2026-12-31")
    data = await execute(session, CREATE, as_=as_, variables={"input": values})
    result: dict[str, Any] = data["createGoal"]
    return result


async def test_goals_cascade_from_org_to_team_to_individual(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E100", manager=boss)
    org = await create(session, HR, scope="ORG", title="Grow revenue 10%")
    team = await create(
        session, principal(boss), scope="TEAM", title="Close 40 deals", parentId=org["goal"]["id"]
    )
    mine = await create(
        session,
        principal(ada),
        scope="INDIVIDUAL",
        title="Close 8 deals",
        weight=40,
        parentId=team["goal"]["id"],
    )

    data = await execute(session, CASCADE, as_=principal(ada), variables={"id": org["goal"]["id"]})

    assert mine["goal"]["owner"] == {"id": str(ada.employee_id)}
    assert data["goal"] == {
        "title": "Grow revenue 10%",
        "children": [
            {
                "title": "Close 40 deals",
                "owner": {"id": str(boss.employee_id)},
                "children": [{"title": "Close 8 deals"}],
            }
        ],
    }
    events = await published(session, GoalUpdated)
    assert [(e.scope, e.title) for e in events] == [
        ("org", "Grow revenue 10%"),
        ("team", "Close 40 deals"),
        ("individual", "Close 8 deals"),
    ]


async def test_goal_rules_are_validated(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")
    cycle = await make_cycle(session)
    first = await create(
        session, principal(ada), scope="INDIVIDUAL", title="A", weight=70, cycleId=str(cycle.id)
    )
    peer_goal = await create(session, principal(ada), scope="INDIVIDUAL", title="B")

    too_heavy = await create(
        session,
        principal(ada),
        scope="INDIVIDUAL",
        title=" ",
        target="",
        weight=40,
        cycleId=str(cycle.id),
        parentId=peer_goal["goal"]["id"],
    )
    org_by_employee = await create(session, principal(ada), scope="ORG", title="Mine")

    assert first["__typename"] == "GoalPayload"
    fields = fields_of(too_heavy)
    assert set(fields) == {"input.title", "input.target", "input.weight", "input.parentId"}
    assert "already weigh 70" in fields["input.weight"]
    assert org_by_employee["__typename"] == "Forbidden"


async def test_progress_and_status_and_who_may_change_them(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E100", manager=boss)
    stranger = await make_employee(session, number="E200")
    goal = await create(session, principal(ada), scope="INDIVIDUAL", title="Ship it")
    goal_id = goal["goal"]["id"]

    progress = await execute(
        session,
        UPDATE,
        as_=principal(ada),
        variables={"input": {"goalId": goal_id, "progress": 60, "status": "ON_TRACK"}},
    )
    out_of_range = await execute(
        session,
        UPDATE,
        as_=principal(ada),
        variables={"input": {"goalId": goal_id, "progress": 160}},
    )
    completed = await execute(
        session,
        UPDATE,
        as_=principal(boss),
        variables={"input": {"goalId": goal_id, "status": "COMPLETED"}},
    )
    by_stranger = await execute(
        session,
        UPDATE,
        as_=principal(stranger),
        variables={"input": {"goalId": goal_id, "progress": 1}},
    )

    assert progress["updateGoal"]["goal"] == {"progress": 60, "status": "ON_TRACK"}
    assert fields_of(out_of_range["updateGoal"]) == {"input.progress": "160 is outside 0-100"}
    assert completed["updateGoal"]["goal"] == {"progress": 100, "status": "COMPLETED"}
    assert by_stranger["updateGoal"]["__typename"] == "NotFound"
    hidden = await execute(
        session, GOALS, as_=principal(stranger), variables={"owner": str(ada.employee_id)}
    )
    assert hidden["goals"]["totalCount"] == 0
    last = (await published(session, GoalUpdated))[-1]
    assert (last.status, last.progress) == ("completed", 100)


async def test_check_ins_between_employee_and_manager(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E100", manager=boss)
    stranger = await make_employee(session, number="E200")
    goal = await create(session, principal(ada), scope="INDIVIDUAL", title="Ship it")

    on_goal = await execute(
        session,
        CHECK_IN,
        as_=principal(boss),
        variables={
            "input": {
                "employeeId": str(ada.employee_id),
                "goalId": goal["goal"]["id"],
                "note": "Good pace",
            }
        },
    )
    own = await execute(
        session,
        CHECK_IN,
        as_=principal(ada),
        variables={"input": {"employeeId": str(ada.employee_id), "note": "Need help with X"}},
    )
    by_stranger = await execute(
        session,
        CHECK_IN,
        as_=principal(stranger),
        variables={"input": {"employeeId": str(ada.employee_id), "note": "Hi"}},
    )

    assert on_goal["addCheckIn"]["checkIn"]["author"] == {"id": str(boss.employee_id)}
    assert own["addCheckIn"]["checkIn"]["goalId"] is None
    assert by_stranger["addCheckIn"]["__typename"] == "Forbidden"
    listed = await execute(
        session, CHECK_INS, as_=principal(ada), variables={"e": str(ada.employee_id)}
    )
    assert listed["checkIns"]["totalCount"] == 2
    hidden = await execute(
        session, CHECK_INS, as_=principal(stranger), variables={"e": str(ada.employee_id)}
    )
    assert hidden["checkIns"] is None
