"""Creating, launching and advancing review cycles; who is behind; deadline notices."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts.performance import (
    CycleLaunched,
    CyclePhaseChanged,
    ReviewAssigned,
    ReviewDueSoon,
    ReviewOverdue,
)
from talent_performance.cycles.deadlines import sweep_deadlines
from talent_performance.cycles.models import DEFAULT_SCALE, PHASES, CyclePhaseDeadline, ReviewCycle
from talent_performance.cycles.population import insert_reviews
from talent_performance.db import messaging
from talent_performance.people.models import EmployeeProjection
from talent_performance.reviews.models import Review, ReviewCompetency
from talent_performance.schema import schema
from talent_platform.auth import Principal, Role
from talent_platform.graphql import TalentContext

from ..factories import (
    HR,
    SETTINGS,
    START,
    count,
    execute,
    fields_of,
    make_cycle,
    make_employee,
    make_job_profile,
    principal,
    published,
)

CREATE = """
mutation($input: CreateReviewCycleInput!) {
  createReviewCycle(input: $input) {
    __typename
    ... on ReviewCyclePayload { cycle { id code status phase scale { value label } deadlines { phase dueOn } } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""
LAUNCH = """
mutation($input: CycleIdInput!) {
  launchReviewCycle(input: $input) {
    __typename
    ... on LaunchReviewCyclePayload { population cycle { status phase launchedAt completion { kind total submitted percent } } }
    ... on Conflict { message }
  }
}
"""
ADVANCE = """
mutation($input: AdvanceCyclePhaseInput!) {
  advanceCyclePhase(input: $input) {
    __typename
    ... on ReviewCyclePayload { cycle { phase } }
    ... on ValidationError { fields { field message } }
    ... on Conflict { message }
  }
}
"""
BEHIND = """
query($cycleId: ID!, $phase: CyclePhase!, $first: Int) {
  whoIsBehind(cycleId: $cycleId, phase: $phase, first: $first) {
    kind dueOn
    reviews {
      totalCount
      nodes { kind employeeName managerName escalationManagerName employee { id } }
    }
  }
}
"""


def cycle_input(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": "2026-MID",
        "name": "Mid-year 2026",
        "kind": "MID_YEAR",
        "deadlines": [
            {"phase": p.upper(), "dueOn": str(START + dt.timedelta(weeks=i + 1))}
            for i, p in enumerate(PHASES)
        ],
    }
    values.update(changes)
    return values


async def test_hr_creates_a_draft_cycle_with_a_scale_and_deadlines(session: AsyncSession) -> None:
    data = await execute(session, CREATE, as_=HR, variables={"input": cycle_input()})

    cycle = data["createReviewCycle"]["cycle"]
    assert (cycle["status"], cycle["phase"]) == ("DRAFT", None)
    assert cycle["scale"][0] == {"value": 1, "label": "Unsatisfactory"}
    assert [d["phase"] for d in cycle["deadlines"]] == [p.upper() for p in PHASES]


async def test_creating_a_cycle_validates_every_field(session: AsyncSession) -> None:
    deadlines = cycle_input()["deadlines"]
    deadlines[3]["dueOn"] = "2025-01-01"
    data = await execute(
        session,
        CREATE,
        as_=HR,
        variables={
            "input": cycle_input(
                code="",
                deadlines=deadlines,
                scaleLabels=["a", "b"],
                jobProfileCodes=["nope"],
            )
        },
    )

    fields = fields_of(data["createReviewCycle"])
    assert set(fields) == {
        "input.code",
        "input.deadlines",
        "input.scaleLabels",
        "input.jobProfileCodes",
    }
    assert "manager_review ends before peer_feedback" in fields["input.deadlines"]


async def test_employees_cannot_create_cycles(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100")

    data = await execute(session, CREATE, as_=principal(ada), variables={"input": cycle_input()})

    assert data["createReviewCycle"]["__typename"] == "Forbidden"


async def test_launch_creates_every_review_of_the_population_at_once(session: AsyncSession) -> None:
    await make_job_profile(session, "analyst", {"excel": 4, "sql": 3})
    await make_job_profile(session, "lead", {"coaching": 4})
    boss = await make_employee(session, number="E1", job_profile="lead", org_unit="finance")
    ada = await make_employee(session, number="E100", manager=boss)
    await make_employee(session, number="E101", manager=boss, hire_date=dt.date(2026, 1, 1))
    await make_employee(session, number="E102", manager=boss, org_unit="sales")
    await make_employee(session, number="E103", manager=boss, status="terminated")
    created = await execute(
        session,
        CREATE,
        as_=HR,
        variables={"input": cycle_input(orgUnitCodes=["finance"], hiredOnOrBefore="2025-12-31")},
    )
    cycle_id = created["createReviewCycle"]["cycle"]["id"]

    data = await execute(session, LAUNCH, as_=HR, variables={"input": {"cycleId": cycle_id}})

    launched = data["launchReviewCycle"]
    assert launched["population"] == 2  # boss and ada: not the new hire, sales, terminated
    assert launched["cycle"]["status"] == "ACTIVE"
    assert launched["cycle"]["phase"] == "GOAL_SETTING"
    assert {(c["kind"], c["total"]) for c in launched["cycle"]["completion"]} == {
        ("SELF", 2),
        ("MANAGER", 1),  # the boss has no manager
    }
    ada_reviews = (
        await session.scalars(select(Review).where(Review.employee_id == ada.employee_id))
    ).all()
    assert {(r.kind, r.reviewer_id) for r in ada_reviews} == {
        ("self", ada.employee_id),
        ("manager", boss.employee_id),
    }
    assert await count(session, ReviewCompetency) == 2 * 2 + 1  # ada: 2 reviews x 2; boss: 1
    [event] = await published(session, CycleLaunched)
    assert (event.cycle_code, event.population, event.phase) == ("2026-MID", 2, "goal_setting")
    assigned = await published(session, ReviewAssigned)
    assert {(a.employee_id, a.kind, a.reviewer_id, a.phase, a.reason) for a in assigned} == {
        (ada.employee_id, "self", ada.employee_id, "self_review", "launch"),
        (ada.employee_id, "manager", boss.employee_id, "manager_review", "launch"),
        (boss.employee_id, "self", boss.employee_id, "self_review", "launch"),
    }
    assert {a.review_id for a in assigned} == {r.id for r in ada_reviews} | {
        a.review_id for a in assigned if a.employee_id == boss.employee_id
    }
    deadline = START + dt.timedelta(weeks=PHASES.index("self_review") + 1)
    assert {a.due_on for a in assigned if a.kind == "self"} == {deadline}

    again = await execute(session, LAUNCH, as_=HR, variables={"input": {"cycleId": cycle_id}})
    assert again["launchReviewCycle"]["__typename"] == "Conflict"


async def test_a_cycle_with_an_empty_population_is_not_launched(session: AsyncSession) -> None:
    created = await execute(
        session, CREATE, as_=HR, variables={"input": cycle_input(orgUnitCodes=["nowhere"])}
    )
    cycle_id = created["createReviewCycle"]["cycle"]["id"]

    data = await execute(session, LAUNCH, as_=HR, variables={"input": {"cycleId": cycle_id}})

    assert data["launchReviewCycle"]["__typename"] == "Conflict"
    assert await count(session, Review) == 0


async def test_phases_advance_one_at_a_time(session: AsyncSession) -> None:
    await make_employee(session, number="E100")
    cycle = await make_cycle(session)

    skip = await execute(
        session,
        ADVANCE,
        as_=HR,
        variables={"input": {"cycleId": str(cycle.id), "phase": "MANAGER_REVIEW"}},
    )
    step = await execute(
        session,
        ADVANCE,
        as_=HR,
        variables={"input": {"cycleId": str(cycle.id), "phase": "SELF_REVIEW"}},
    )

    assert fields_of(skip["advanceCyclePhase"]) == {
        "input.phase": "the next phase of 2026-ANNUAL is self_review"
    }
    assert step["advanceCyclePhase"]["cycle"]["phase"] == "SELF_REVIEW"
    [changed] = await published(session, CyclePhaseChanged)
    assert (changed.previous_phase, changed.phase) == ("goal_setting", "self_review")
    assert changed.due_on == START + dt.timedelta(weeks=2)


async def test_who_is_behind_names_the_manager_and_their_manager(session: AsyncSession) -> None:
    top = await make_employee(session, number="E1")
    boss = await make_employee(session, number="E2", manager=top)
    ada = await make_employee(session, number="E100", manager=boss)
    bob = await make_employee(session, number="E101", manager=boss)
    cycle = await make_cycle(session, phase="manager_review")
    await session.execute(
        update(Review)
        .where(Review.employee_id == bob.employee_id, Review.kind == "manager")
        .values(status="submitted", overall_rating=3)
    )

    data = await execute(
        session,
        BEHIND,
        as_=HR,
        variables={"cycleId": str(cycle.id), "phase": "MANAGER_REVIEW", "first": 10},
    )

    report = data["whoIsBehind"]
    assert report["kind"] == "MANAGER"
    assert report["reviews"]["totalCount"] == 2  # ada's and boss's manager reviews
    rows = {n["employeeName"]: n for n in report["reviews"]["nodes"]}
    assert rows["Employee E100"]["managerName"] == "Employee E2"
    assert rows["Employee E100"]["escalationManagerName"] == "Employee E1"
    assert rows["Employee E2"]["managerName"] == "Employee E1"
    assert "Employee E101" not in rows and str(ada.employee_id) in {
        n["employee"]["id"] for n in report["reviews"]["nodes"]
    }


async def test_a_manager_sees_who_is_behind_in_their_chain_only(session: AsyncSession) -> None:
    top = await make_employee(session, number="E1")
    boss = await make_employee(session, number="E2", manager=top)
    await make_employee(session, number="E100", manager=boss)
    await make_employee(session, number="E200", manager=top)
    cycle = await make_cycle(session, phase="self_review")
    variables = {"cycleId": str(cycle.id), "phase": "SELF_REVIEW", "first": 10}

    mine = await execute(session, BEHIND, as_=principal(boss), variables=variables)
    tops = await execute(session, BEHIND, as_=principal(top), variables=variables)

    assert [n["employeeName"] for n in mine["whoIsBehind"]["reviews"]["nodes"]] == ["Employee E100"]
    assert tops["whoIsBehind"]["reviews"]["totalCount"] == 3  # E2, E100, E200


async def test_a_service_account_without_hr_gets_no_report(session: AsyncSession) -> None:
    await make_employee(session, number="E100")
    cycle = await make_cycle(session)
    context = TalentContext.with_session(
        session, principal=principal(None, Role.MANAGER), settings=SETTINGS
    )
    result = await schema.execute(
        BEHIND,
        variable_values={"cycleId": str(cycle.id), "phase": "SELF_REVIEW"},
        context_value=context,
    )

    assert result.errors is not None
    assert "needs an employee or HR token" in result.errors[0].message


def sync_cycle(sync_session: Session, *, phase: str, due_on: dt.date) -> ReviewCycle:
    boss = EmployeeProjection(
        employee_id=uuid.uuid4(),
        employee_number="E1",
        name="Boss",
        email="e1@example.com",
        status="active",
        hire_date=dt.date(2020, 1, 1),
        updated_at=dt.datetime.now(dt.UTC),
    )
    ada = EmployeeProjection(
        employee_id=uuid.uuid4(),
        employee_number="E100",
        name="Ada",
        email="e100@example.com",
        status="active",
        hire_date=dt.date(2020, 1, 1),
        manager_id=boss.employee_id,
        updated_at=dt.datetime.now(dt.UTC),
    )
    sync_session.add_all([boss, ada])
    cycle = ReviewCycle(
        code="SWEEP",
        name="Sweep",
        kind="annual",
        status="active",
        phase=phase,
        org_unit_codes=[],
        job_profile_codes=[],
        scale_labels=list(DEFAULT_SCALE),
        created_by="hr",
    )
    sync_session.add(cycle)
    sync_session.flush()
    sync_session.add(CyclePhaseDeadline(cycle_id=cycle.id, phase=phase, position=1, due_on=due_on))
    sync_session.execute(insert_reviews(cycle))
    sync_session.flush()
    return cycle


def outbox_types(sync_session: Session) -> list[str]:
    return list(
        sync_session.scalars(
            select(messaging.outbox.c.event_type).order_by(messaging.outbox.c.id)
        ).all()
    )


def test_the_sweep_sends_due_soon_then_overdue_once_each(sync_session: Session) -> None:
    due = dt.date(2026, 3, 10)
    sync_cycle(sync_session, phase="self_review", due_on=due)

    early = sweep_deadlines(sync_session, today=due - dt.timedelta(days=10), due_soon_days=3)
    soon = sweep_deadlines(sync_session, today=due - dt.timedelta(days=2), due_soon_days=3)
    soon_again = sweep_deadlines(sync_session, today=due - dt.timedelta(days=1), due_soon_days=3)
    late = sweep_deadlines(sync_session, today=due + dt.timedelta(days=1), due_soon_days=3)
    late_again = sweep_deadlines(sync_session, today=due + dt.timedelta(days=2), due_soon_days=3)

    assert (early, soon, soon_again, late, late_again) == (0, 2, 0, 2, 0)  # two self reviews
    assert (
        outbox_types(sync_session)
        == [ReviewDueSoon.event_type] * 2 + [ReviewOverdue.event_type] * 2
    )


def test_submitted_reviews_get_no_notice(sync_session: Session) -> None:
    due = dt.date(2026, 3, 10)
    cycle = sync_cycle(sync_session, phase="manager_review", due_on=due)
    sync_session.execute(
        update(Review)
        .where(Review.cycle_id == cycle.id, Review.kind == "manager")
        .values(status="submitted")
    )

    assert sweep_deadlines(sync_session, today=due + dt.timedelta(days=1), due_soon_days=3) == 0


async def test_a_scoped_hr_coordinator_runs_and_sees_only_cycles_and_reviews_of_their_units(
    session: AsyncSession,
) -> None:
    await make_employee(session, number="E1", org_unit="sales")
    await make_employee(session, number="E2", org_unit="sales / emea")
    await make_employee(session, number="E3", org_unit="finance")
    company = await make_cycle(session, code="2026-ALL", phase="self_review")
    scoped = Principal(
        subject="coordinator",
        employee_id=None,
        roles=frozenset({Role.HR_COORDINATOR}),
        org_units=frozenset({"sales"}),
    )

    behind = await execute(
        session,
        BEHIND,
        as_=scoped,
        variables={"cycleId": str(company.id), "phase": "SELF_REVIEW", "first": 10},
    )
    names = sorted(n["employeeName"] for n in behind["whoIsBehind"]["reviews"]["nodes"])
    assert names == ["Employee E1", "Employee E2"]  # not finance's E3
    reviews = await execute(
        session, "{ reviews(first: 50) { nodes { employee { id } } totalCount } }", as_=scoped
    )
    assert reviews["reviews"]["totalCount"] == 2

    # Runs cycles of its units only: a company-wide one or one reaching finance is refused.
    advance = {"input": {"cycleId": str(company.id), "phase": "PEER_FEEDBACK"}}
    refused = await execute(session, ADVANCE, as_=scoped, variables=advance)
    assert refused["advanceCyclePhase"]["__typename"] == "Forbidden"
    wide = cycle_input(code="2026-WIDE", orgUnitCodes=["sales", "finance"])
    created = await execute(session, CREATE, as_=scoped, variables={"input": wide})
    assert created["createReviewCycle"]["__typename"] == "Forbidden"
    own = cycle_input(code="2026-SALES", orgUnitCodes=["sales / emea"])
    created = await execute(session, CREATE, as_=scoped, variables={"input": own})
    assert created["createReviewCycle"]["__typename"] == "ReviewCyclePayload"
    launched = await execute(
        session,
        LAUNCH,
        as_=scoped,
        variables={"input": {"cycleId": created["createReviewCycle"]["cycle"]["id"]}},
    )
    assert launched["launchReviewCycle"]["population"] == 1
