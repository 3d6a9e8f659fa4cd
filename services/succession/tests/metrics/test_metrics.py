"""Bench strength, high-potential retention, plan completion and their CSV exports."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Role
from talent_succession.plans.models import DevelopmentPlan, PlanAction
from talent_succession.potential.models import HighPotentialDesignation

from ..factories import (
    HR_LEADER,
    execute,
    make_employee,
    make_key_role,
    nominate,
    principal,
    refused,
    run,
)

REPORT = """{
  benchStrengthReport {
    overall { keyRoles readyNow readySoon criticalRoles criticalRolesCovered criticalCoverage
              rolesWithoutSuccessor rolesWithoutReadySuccessor vacantRoles }
    byOrgUnit { orgUnitCode keyRoles readyNow }
  }
}"""


async def test_bench_strength_rolls_up_per_org_unit(session: AsyncSession) -> None:
    holder = await make_employee(session, number="E0")
    people = [await make_employee(session, number=f"E{i}") for i in range(1, 4)]
    await make_key_role(session, code="CFO", incumbent=holder, criticality="high")
    await make_key_role(session, code="CTO", criticality="high", org_unit="tech")
    await make_key_role(session, code="OPS", criticality="low", org_unit="tech")
    await nominate(
        session, keyRoleCode="CFO", employeeId=str(people[0].employee_id), readiness="READY_NOW"
    )
    await nominate(
        session,
        keyRoleCode="CFO",
        employeeId=str(people[1].employee_id),
        readiness="READY_1_2_YEARS",
    )
    await nominate(
        session,
        keyRoleCode="CTO",
        employeeId=str(people[2].employee_id),
        readiness="READY_1_2_YEARS",
    )

    data = await execute(session, REPORT, as_=HR_LEADER)

    assert data["benchStrengthReport"]["overall"] == {
        "keyRoles": 3,
        "readyNow": 1,
        "readySoon": 2,
        "criticalRoles": 2,
        "criticalRolesCovered": 1,
        "criticalCoverage": 0.5,
        "rolesWithoutSuccessor": 1,
        "rolesWithoutReadySuccessor": 2,
        "vacantRoles": 2,
    }
    assert data["benchStrengthReport"]["byOrgUnit"] == [
        {"orgUnitCode": "finance", "keyRoles": 1, "readyNow": 1},
        {"orgUnitCode": "tech", "keyRoles": 2, "readyNow": 0},
    ]

    by_role = await execute(
        session, "{ successionReportCsv(report: BENCH_STRENGTH_BY_ROLE) }", as_=HR_LEADER
    )
    lines = by_role["successionReportCsv"].splitlines()
    assert lines[0] == (
        "code,title,org_unit_code,criticality,vacant,ready_now,ready_soon,ready_later,emergency"
    )
    assert lines[1] == "CFO,Role CFO,finance,high,false,1,1,0,0"
    assert len(lines) == 4


async def test_an_empty_organisation_has_a_zero_report(session: AsyncSession) -> None:
    data = await execute(session, REPORT, as_=HR_LEADER)
    assert data["benchStrengthReport"]["overall"]["keyRoles"] == 0
    assert data["benchStrengthReport"]["overall"]["criticalCoverage"] == 1.0


async def test_high_potential_retention_counts_leavers(session: AsyncSession) -> None:
    stayer = await make_employee(session, number="E1")
    leaver = await make_employee(session, number="E2", status="terminated")
    leaver.terminated_on = dt.date(2026, 5, 1)
    late = await make_employee(session, number="E3")
    for who, on in ((stayer, "2025-01-01"), (leaver, "2025-01-01"), (late, "2026-02-01")):
        session.add(
            HighPotentialDesignation(
                employee_id=who.employee_id,
                designated_on=dt.date.fromisoformat(on),
                reason="r",
                designated_by="hr",
            )
        )
    await session.flush()

    data = await execute(
        session,
        """{ highPotentialRetention(from: "2026-01-01", to: "2026-12-31") {
              designated retained terminated rate } }""",
        as_=HR_LEADER,
    )

    assert data["highPotentialRetention"] == {
        "designated": 2,
        "retained": 1,
        "terminated": 1,
        "rate": 0.5,
    }
    csv = await execute(
        session,
        'query { successionReportCsv(report: HIPO_RETENTION, from: "2026-01-01", to: "2026-12-31") }',
        as_=HR_LEADER,
    )
    assert csv["successionReportCsv"].splitlines() == [
        "from,to,designated,retained,terminated",
        "2026-01-01,2026-12-31,2,1,1",
    ]
    # Without a start, a year before the end: from a 29 February, the 28th a year before.
    leap = await execute(
        session,
        'query { successionReportCsv(report: HIPO_RETENTION, to: "2028-02-29") }',
        as_=HR_LEADER,
    )
    assert leap["successionReportCsv"].splitlines()[1].startswith("2027-02-28,2028-02-29,")


async def test_plan_action_completion(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E1")
    plan = DevelopmentPlan(
        id=uuid.uuid4(),
        employee_id=ada.employee_id,
        title="p",
        review_by=dt.date(2030, 1, 1),
        created_by="hr",
    )
    session.add(plan)
    await session.flush()
    for kind, status, target in (
        ("course", "completed", None),
        ("course", "open", dt.date(2001, 1, 1)),
        ("mentoring", "open", None),
        ("mentoring", "cancelled", None),
    ):
        session.add(
            PlanAction(
                plan_id=plan.id,
                employee_id=ada.employee_id,
                kind=kind,
                title=kind,
                course_code="C" if kind == "course" else None,
                status=status,
                target_date=target,
            )
        )
    await session.flush()

    data = await execute(
        session,
        "{ planActionCompletion { kind total completed open overdue cancelled rate } }",
        as_=HR_LEADER,
    )

    assert data["planActionCompletion"] == [
        {
            "kind": None,
            "total": 4,
            "completed": 1,
            "open": 2,
            "overdue": 1,
            "cancelled": 1,
            "rate": 1 / 3,
        },
        {
            "kind": "COURSE",
            "total": 2,
            "completed": 1,
            "open": 1,
            "overdue": 1,
            "cancelled": 0,
            "rate": 0.5,
        },
        {
            "kind": "MENTORING",
            "total": 2,
            "completed": 0,
            "open": 1,
            "overdue": 0,
            "cancelled": 1,
            "rate": 0.0,
        },
    ]


async def test_reports_are_forbidden_to_managers(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    for query in (REPORT, "{ successionReportCsv(report: BENCH_STRENGTH) }"):
        data, errors = await run(session, query, as_=principal(boss, Role.MANAGER))
        assert refused(data)
        assert "hr_leader and admin only" in errors[0].message
