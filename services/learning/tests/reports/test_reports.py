"""Reports as GraphQL connections and as CSV from `GET /reports/<name>.csv`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.enrollments.models import Enrollment
from talent_platform.auth import Principal, Role

from ..factories import (
    HR,
    execute,
    make_completion,
    make_course,
    make_employee,
    principal,
    refused,
)
from ..http_client import learning_client, token

EVIDENCE = """
query($course: String!, $asOf: Date, $population: PopulationInput) {
  complianceEvidence(courseCode: $course, asOf: $asOf, population: $population) {
    total compliant notCompliant
    rows { nodes { employeeNumber completedOn score validUntil compliant } }
  }
}
"""

RATES = """
query($groupBy: ReportGrouping!, $asOf: Date) {
  completionRates(groupBy: $groupBy, asOf: $asOf) {
    nodes { group assigned completed overdue completionRate overdueRate }
  }
}
"""


async def evidence_world(session: AsyncSession) -> None:
    fire = await make_course(session, code="FIRE-1", recertify_months=12)
    current = await make_employee(
        session, number="E1", org_unit="ops", hire_date=dt.date(2020, 1, 1)
    )
    expired = await make_employee(
        session, number="E2", org_unit="ops", hire_date=dt.date(2020, 1, 1)
    )
    await make_employee(session, number="E3", org_unit="ops", hire_date=dt.date(2020, 1, 1))
    await make_employee(session, number="E4", org_unit="ops", hire_date=dt.date(2026, 6, 1))
    await make_employee(session, number="E5", org_unit="sales", hire_date=dt.date(2020, 1, 1))
    await make_completion(
        session, employee=current, course=fire, completed_on=dt.date(2025, 9, 1), score=91
    )
    await make_completion(
        session, employee=current, course=fire, completed_on=dt.date(2024, 9, 1), score=70
    )
    await make_completion(
        session, employee=current, course=fire, completed_on=dt.date(2026, 5, 20), score=99
    )
    await make_completion(
        session, employee=expired, course=fire, completed_on=dt.date(2024, 12, 1), score=80
    )


async def test_evidence_lists_exactly_who_was_compliant_on_the_day(session: AsyncSession) -> None:
    await evidence_world(session)

    data = await execute(
        session,
        EVIDENCE,
        as_=HR,
        variables={"course": "FIRE-1", "asOf": "2026-03-01", "population": {"orgUnitCode": "ops"}},
    )
    employee = await make_employee(session, number="X1")
    hidden, errors = await refused(
        session, EVIDENCE, as_=principal(employee), variables={"course": "FIRE-1"}
    )

    evidence = data["complianceEvidence"]
    assert (evidence["total"], evidence["compliant"], evidence["notCompliant"]) == (3, 1, 2)
    assert evidence["rows"]["nodes"] == [
        # Latest completion on or before the day (not the 2026-05-20 one), valid a year.
        {
            "employeeNumber": "E1",
            "completedOn": "2025-09-01",
            "score": 91.0,
            "validUntil": "2026-09-01",
            "compliant": True,
        },
        {
            "employeeNumber": "E2",
            "completedOn": "2024-12-01",
            "score": 80.0,
            "validUntil": "2025-12-01",
            "compliant": False,
        },
        {
            "employeeNumber": "E3",
            "completedOn": None,
            "score": None,
            "validUntil": None,
            "compliant": False,
        },
        # E4 was hired after the day; E5 is outside the population.
    ]
    assert hidden["complianceEvidence"] is None
    assert errors == [(("complianceEvidence",), "FORBIDDEN")]


async def test_the_evidence_and_rates_export_as_csv(session: AsyncSession) -> None:
    await evidence_world(session)
    async with learning_client(session) as client:
        headers = {"authorization": f"Bearer {token(HR)}"}
        response = await client.get(
            "/reports/compliance-evidence.csv",
            params={"courseCode": "FIRE-1", "asOf": "2026-03-01", "orgUnitCode": "ops"},
            headers=headers,
        )
        bad = await client.get("/reports/compliance-evidence.csv", headers=headers)
        unknown = await client.get("/reports/salaries.csv", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (r["employee_number"], r["completed_on"], r["valid_until"], r["compliant"]) for r in rows
    ] == [
        ("E1", "2025-09-01", "2026-09-01", "true"),
        ("E2", "2024-12-01", "2025-12-01", "false"),
        ("E3", "", "", "false"),
    ]
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "courseCode")
    assert unknown.status_code == 404


async def enrollment(
    session: AsyncSession,
    employee: Any,
    course: Any,
    status: str,
    due_on: dt.date | None = None,
    started: bool = False,
) -> None:
    session.add(
        Enrollment(
            employee_id=employee.employee_id,
            course_id=course.id,
            reason="manager",
            status=status,
            due_on=due_on,
            started_at=dt.datetime.now(dt.UTC) if started else None,
            # Assigned (and closed, when no longer open) before the reports' day.
            created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            closed_at=(
                dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
                if status in ("completed", "failed", "cancelled", "waived")
                else None
            ),
        )
    )
    await session.flush()


async def test_completion_rates_team_status_and_funnel(session: AsyncSession) -> None:
    one = await make_course(session, code="C1")
    two = await make_course(session, code="C2")
    boss = await make_employee(session, number="B1", org_unit="ops")
    lead = await make_employee(session, number="M1", org_unit="ops", manager=boss)
    ada = await make_employee(session, number="E1", org_unit="ops", manager=lead)
    bob = await make_employee(session, number="E2", org_unit="sales")
    day = dt.date(2026, 3, 1)
    await enrollment(session, ada, one, "completed", started=True)
    await enrollment(session, ada, two, "assigned", due_on=day - dt.timedelta(days=1))
    await enrollment(
        session, lead, one, "in_progress", due_on=day + dt.timedelta(days=5), started=True
    )
    await enrollment(session, bob, one, "failed", started=True)
    await enrollment(session, bob, two, "cancelled")

    rates = await execute(
        session, RATES, as_=HR, variables={"groupBy": "ORG_UNIT", "asOf": day.isoformat()}
    )
    team = await execute(
        session,
        "query($asOf: Date) { teamLearningStatus(asOf: $asOf) { nodes { employeeNumber depth open overdue completed nextDueOn } } }",
        as_=principal(boss),
        variables={"asOf": day.isoformat()},
    )
    funnel = await execute(
        session,
        "{ courseFunnels { nodes { courseCode assigned started completed abandoned } } }",
        as_=HR,
    )
    not_hr, errors = await refused(
        session, RATES, as_=principal(boss), variables={"groupBy": "COURSE"}
    )

    assert rates["completionRates"]["nodes"] == [
        {
            "group": "ops",
            "assigned": 3,
            "completed": 1,
            "overdue": 1,
            "completionRate": 33.3,
            "overdueRate": 33.3,
        },
        {
            "group": "sales",
            "assigned": 1,
            "completed": 0,
            "overdue": 0,
            "completionRate": 0.0,
            "overdueRate": 0.0,
        },
    ]
    assert team["teamLearningStatus"]["nodes"] == [
        {
            "employeeNumber": "E1",
            "depth": 2,
            "open": 1,
            "overdue": 1,
            "completed": 1,
            "nextDueOn": "2026-02-28",
        },
        {
            "employeeNumber": "M1",
            "depth": 1,
            "open": 1,
            "overdue": 0,
            "completed": 0,
            "nextDueOn": "2026-03-06",
        },
    ]
    assert funnel["courseFunnels"]["nodes"] == [
        {"courseCode": "C1", "assigned": 3, "started": 3, "completed": 1, "abandoned": 1},
        {"courseCode": "C2", "assigned": 2, "started": 0, "completed": 0, "abandoned": 0},
    ]
    assert not_hr["completionRates"] is None
    assert errors == [(("completionRates",), "FORBIDDEN")]


async def test_a_scoped_hr_coordinator_gets_reports_of_their_org_units_only(
    session: AsyncSession,
) -> None:
    one = await make_course(session, code="C1", recertify_months=12)
    ops = await make_employee(session, number="E1", org_unit="ops", hire_date=dt.date(2020, 1, 1))
    floor = await make_employee(
        session, number="E2", org_unit="ops / floor", hire_date=dt.date(2020, 1, 1)
    )
    seller = await make_employee(
        session, number="E3", org_unit="sales", hire_date=dt.date(2020, 1, 1)
    )
    for person in (ops, floor, seller):
        await enrollment(session, person, one, "completed", started=True)
    await make_completion(session, employee=seller, course=one, completed_on=dt.date(2026, 1, 5))
    scoped = Principal(
        subject="coordinator",
        employee_id=None,
        roles=frozenset({Role.HR_COORDINATOR}),
        org_units=frozenset({"ops"}),
    )
    day = {"asOf": dt.date(2026, 3, 1).isoformat()}

    rates = await execute(session, RATES, as_=scoped, variables={"groupBy": "ORG_UNIT", **day})
    funnel = await execute(
        session, "{ courseFunnels { nodes { courseCode assigned } } }", as_=scoped
    )
    evidence = await execute(session, EVIDENCE, as_=scoped, variables={"course": "C1", **day})
    everyone = await execute(session, RATES, as_=HR, variables={"groupBy": "ORG_UNIT", **day})

    assert [n["group"] for n in rates["completionRates"]["nodes"]] == ["ops", "ops / floor"]
    assert funnel["courseFunnels"]["nodes"] == [{"courseCode": "C1", "assigned": 2}]
    numbers = [r["employeeNumber"] for r in evidence["complianceEvidence"]["rows"]["nodes"]]
    assert numbers == ["E1", "E2"]
    assert [n["group"] for n in everyone["completionRates"]["nodes"]] == [
        "ops",
        "ops / floor",
        "sales",
    ]
