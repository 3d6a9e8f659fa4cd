"""Unit development needs through the real schema: gaps of an org unit's people (with its
sub-units) per competency, the courses that close them and how many are assigned, from
events delivered as production delivers them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.learning import EnrollmentAssigned
from talent_platform.auth import Principal, Role

from ..factories import (
    HR,
    HR_LEADER,
    as_employee,
    assessed,
    competency,
    course,
    deliver,
    employee_id,
    execute,
    hired,
    job_profile,
    refused,
)

NEEDS = """query($unit: String, $profile: String, $first: Int!) {
  unitDevelopmentNeeds(orgUnitCode: $unit, jobProfileCode: $profile, first: $first) {
    people
    needs { competencyCode requiring withGap unassessed averageGap weightedGap assigned
            courses { course { code } title level assigned } }
    csv
  } }"""


async def organisation(session: AsyncSession) -> None:
    await deliver(
        session,
        competency("excel"),
        competency("modelling"),
        competency("tax"),
        job_profile("analyst", "Analyst", {"excel": (4, 5), "modelling": (3, 2)}),
        job_profile("advisor", "Tax Advisor", {"tax": (4, 4)}),
        course("XL-1", {"excel": 3}),
        course("XL-2", {"excel": 5}),
        course("MOD-1", {"modelling": 4}),
    )
    await deliver(
        session,
        hired("F1", profile="analyst", org_unit="Finance"),
        hired("F2", profile="analyst", org_unit="Finance / Tax"),
        hired("F3", profile="advisor", org_unit="Finance / Tax"),
        hired("F4", profile="analyst", org_unit="Finance"),
        hired("S1", profile="analyst", org_unit="Sales"),
        hired("S2", profile="analyst", org_unit="Sales"),
    )
    await deliver(
        session,
        assessed("F1", "excel", 1),  # a gap
        assessed("F2", "excel", 2),  # a gap
        assessed("F4", "excel", 5),  # none
        assessed("F1", "modelling", 5),  # none
        assessed("S1", "excel", 1),  # a gap, but in Sales
        assessed("S2", "modelling", 1),
    )
    await deliver(
        session,
        EnrollmentAssigned(
            enrollment_id=uuid.uuid4(),
            employee_id=employee_id("F1"),
            course_code="XL-2",
            due_on=None,
            reason="manager",
        ),
    )


async def needs_of(
    session: AsyncSession, unit: str | None, *, as_: Principal = HR_LEADER, first: int = 20
) -> dict[str, Any]:
    data = await execute(
        session, NEEDS, as_=as_, variables={"unit": unit, "profile": None, "first": first}
    )
    return data["unitDevelopmentNeeds"]


async def test_a_units_needs_count_its_sub_units_and_rank_by_weighted_gap(
    session: AsyncSession,
) -> None:
    await organisation(session)

    found = await needs_of(session, "Finance")

    assert found["people"] == 4
    by_code = {n["competencyCode"]: n for n in found["needs"]}
    excel = by_code["excel"]
    assert (excel["requiring"], excel["withGap"], excel["unassessed"]) == (3, 2, 0)
    assert excel["assigned"] == 1  # F1 has XL-2
    assert [(c["course"]["code"], c["level"], c["assigned"]) for c in excel["courses"]] == [
        ("XL-2", 5, 1),
        ("XL-1", 3, 0),
    ]
    # F2 and F3 have no modelling or tax evidence: unassessed, not a gap.
    assert (by_code["modelling"]["withGap"], by_code["modelling"]["unassessed"]) == (0, 2)
    assert (by_code["tax"]["withGap"], by_code["tax"]["unassessed"]) == (0, 1)
    assert found["needs"][0]["competencyCode"] == "excel"  # the largest weighted gap first
    assert excel["weightedGap"] > 0 and excel["averageGap"] == round(
        excel["weightedGap"] / 5 / 2, 2
    )
    assert found["csv"].splitlines()[0] == (
        "competency_code,competency_name,requiring,with_gap,unassessed,average_gap,"
        "weighted_gap,assigned,courses"
    )
    assert found["csv"].splitlines()[1].endswith(",1,XL-2:1 XL-1:0")

    sub_unit = await needs_of(session, "Finance / Tax")
    assert sub_unit["people"] == 2
    everyone = await needs_of(session, None)
    assert everyone["people"] == 6
    assert {n["competencyCode"]: n["withGap"] for n in everyone["needs"]}["excel"] == 3


async def test_a_coordinator_counts_only_their_scope_and_others_are_refused(
    session: AsyncSession,
) -> None:
    await organisation(session)
    coordinator = Principal(
        subject="coordinator",
        employee_id=None,
        roles=frozenset({Role.HR_COORDINATOR}),
        org_units=frozenset({"Sales"}),
    )

    assert (await needs_of(session, None, as_=coordinator))["people"] == 2
    assert (await needs_of(session, "Finance", as_=coordinator))["people"] == 0
    assert (await needs_of(session, None, as_=HR))["people"] == 6

    data, errors = await refused(
        session,
        NEEDS,
        as_=as_employee(employee_id("F1")),
        variables={"unit": None, "profile": None, "first": 5},
    )
    assert data == {"unitDevelopmentNeeds": None}
    assert errors == [(("unitDevelopmentNeeds",), "FORBIDDEN")]
