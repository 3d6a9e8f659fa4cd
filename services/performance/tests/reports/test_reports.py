"""HR reports and their CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy.ext.asyncio import AsyncSession

from talent_performance.calibration.service import CalibrationService, NewSession
from talent_performance.goals.models import Goal
from talent_performance.imports.models import HistoricalRating
from talent_performance.reviews.service import ReviewDraft, ReviewService
from talent_platform.auth import Principal, Role

from ..factories import (
    HR,
    execute,
    make_cycle,
    make_employee,
    make_job_profile,
    move_to,
    principal,
    refused,
    review_of,
)

DISTRIBUTION = """
query($id: ID!, $by: DistributionGrouping!) {
  ratingDistribution(cycleId: $id, groupBy: $by) { groups { group label total before after } csv }
}
"""
PHASES = "query($id: ID!) { completionByPhase(cycleId: $id) { phases { phase kind total done percent } csv } }"
GOALS = "{ goalCompletion { orgUnits { orgUnit goals completed averageProgress } csv } }"
TURNOVER = "query($since: Date!) { turnoverByPerformanceTier(since: $since) { tiers { tier headcount left rate } csv } }"


async def test_rating_distribution_before_and_after_calibration(session: AsyncSession) -> None:
    await make_job_profile(session, "analyst", {})
    boss = await make_employee(session, number="E1", org_unit="exec")
    ada = await make_employee(session, number="E100", manager=boss, org_unit="finance")
    bob = await make_employee(session, number="E101", manager=boss, org_unit="finance")
    cy = await make_employee(session, number="E102", manager=boss, org_unit="sales")
    cycle = await make_cycle(session, phase="manager_review")
    reviews = ReviewService(session, principal(boss))
    for employee, rating in ((ada, 3), (bob, 5), (cy, 2)):
        review = await review_of(session, cycle, employee, "manager")
        await reviews.save(review.id, ReviewDraft(overall_rating=rating))
        await reviews.submit(review.id)
    await move_to(session, cycle, "calibration")
    calibration = CalibrationService(session, HR)
    found = await calibration.create(
        NewSession(
            cycle_id=cycle.id,
            name="All",
            employee_ids=[ada.employee_id, bob.employee_id, cy.employee_id],
            facilitator_ids=[boss.employee_id],
        )
    )
    await calibration.adjust(found.id, employee_id=bob.employee_id, rating=4, reason="calibrated")

    by_unit = await execute(
        session, DISTRIBUTION, as_=HR, variables={"id": str(cycle.id), "by": "ORG_UNIT"}
    )
    by_manager = await execute(
        session, DISTRIBUTION, as_=HR, variables={"id": str(cycle.id), "by": "MANAGER"}
    )
    by_level = await execute(
        session, DISTRIBUTION, as_=HR, variables={"id": str(cycle.id), "by": "JOB_LEVEL"}
    )
    hidden, errors = await refused(
        session,
        DISTRIBUTION,
        as_=principal(boss),
        variables={"id": str(cycle.id), "by": "ORG_UNIT"},
    )

    groups = {g["group"]: g for g in by_unit["ratingDistribution"]["groups"]}
    assert groups["finance"]["before"] == [0, 0, 1, 0, 1]
    assert groups["finance"]["after"] == [0, 0, 1, 1, 0]
    assert groups["sales"]["total"] == 1
    [team] = by_manager["ratingDistribution"]["groups"]
    assert (team["label"], team["total"]) == ("Employee E1", 3)
    assert by_level["ratingDistribution"]["groups"][0]["group"] == "2"
    rows = list(csv.DictReader(io.StringIO(by_unit["ratingDistribution"]["csv"])))
    assert {r["group"]: (r["before_5"], r["after_4"]) for r in rows}["finance"] == ("1", "1")
    assert hidden["ratingDistribution"] is None
    assert errors == [(("ratingDistribution",), "FORBIDDEN")]
    scoped = Principal(
        subject="coordinator",
        employee_id=None,
        roles=frozenset({Role.HR_COORDINATOR}),
        org_units=frozenset({"finance"}),
    )
    only_finance = await execute(
        session, DISTRIBUTION, as_=scoped, variables={"id": str(cycle.id), "by": "ORG_UNIT"}
    )
    phases = await execute(session, PHASES, as_=scoped, variables={"id": str(cycle.id)})
    assert [g["group"] for g in only_finance["ratingDistribution"]["groups"]] == ["finance"]
    manager_phase = {p["phase"]: p for p in phases["completionByPhase"]["phases"]}
    assert manager_phase["MANAGER_REVIEW"]["total"] == 2  # ada's and bob's, not cy's or boss's


async def test_completion_by_phase(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E100", manager=boss)
    await make_employee(session, number="E101", manager=boss)
    cycle = await make_cycle(session, phase="self_review")
    reviews = ReviewService(session, principal(ada))
    mine = await review_of(session, cycle, ada, "self")
    await reviews.save(mine.id, ReviewDraft(overall_rating=4))
    await reviews.submit(mine.id)

    data = await execute(session, PHASES, as_=HR, variables={"id": str(cycle.id)})

    phases = {p["phase"]: p for p in data["completionByPhase"]["phases"]}
    assert (phases["SELF_REVIEW"]["total"], phases["SELF_REVIEW"]["done"]) == (3, 1)
    assert phases["SELF_REVIEW"]["kind"] == "SELF"
    assert phases["SELF_REVIEW"]["percent"] == 33.3
    assert phases["MANAGER_REVIEW"]["done"] == 0
    assert (
        data["completionByPhase"]["csv"].splitlines()[0] == "phase,kind,due_on,total,done,percent"
    )


async def test_goal_completion_by_org_unit(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E100", org_unit="finance")
    for status, progress in (("completed", 100), ("on_track", 50), ("cancelled", 0)):
        session.add(
            Goal(
                scope="individual",
                owner_id=ada.employee_id,
                title=status,
                target="t",
                weight=10,
                progress=progress,
                status=status,
                due_on=dt.date(2026, 12, 31),
                created_by="test",
            )
        )
    await session.flush()

    data = await execute(session, GOALS, as_=HR)

    assert data["goalCompletion"]["orgUnits"] == [
        {"orgUnit": "finance", "goals": 2, "completed": 1, "averageProgress": 75.0}
    ]


async def test_turnover_by_performance_tier(session: AsyncSession) -> None:
    since = dt.date(2025, 1, 1)
    high = await make_employee(session, number="E1")
    low = await make_employee(session, number="E2")
    await make_employee(session, number="E3")  # never rated
    await make_employee(session, number="E4", hire_date=dt.date(2025, 6, 1))  # hired after
    for employee, rating in ((high, 5), (low, 1)):
        session.add(
            HistoricalRating(
                employee_id=employee.employee_id,
                cycle_code="2024",
                overall_rating=rating,
                rated_on=dt.date(2024, 12, 1),
            )
        )
    low.status, low.terminated_on = "terminated", dt.date(2025, 3, 1)
    await session.flush()

    data = await execute(session, TURNOVER, as_=HR, variables={"since": since.isoformat()})

    tiers = {t["tier"]: t for t in data["turnoverByPerformanceTier"]["tiers"]}
    assert (tiers["HIGH"]["headcount"], tiers["HIGH"]["left"]) == (1, 0)
    assert (tiers["LOW"]["headcount"], tiers["LOW"]["left"], tiers["LOW"]["rate"]) == (1, 1, 100.0)
    assert tiers["UNRATED"]["headcount"] == 1
    assert tiers["SOLID"]["headcount"] == 0
