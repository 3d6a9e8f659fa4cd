"""Potential assessments and high-potential designations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.succession import HighPotentialDesignated, PotentialAssessed
from talent_platform.auth import Role
from talent_succession.audit.models import AuditEntry

from ..factories import (
    HR_COORDINATOR,
    HR_LEADER,
    employee_fields,
    execute,
    make_employee,
    outbox_events,
    principal,
)

ASSESS = """
mutation ($input: AssessPotentialInput!) {
  assessPotential(input: $input) {
    __typename
    ... on AssessPotentialPayload { assessment { potential assessedOn reviewBy assessor { id } } }
    ... on ValidationError { fields { field message } }
  }
}
"""
DESIGNATE = """
mutation ($input: DesignateHighPotentialInput!) {
  designateHighPotential(input: $input) {
    __typename
    ... on HighPotentialPayload { designation { reason reviewDate endedOn } }
    ... on ValidationError { fields { field } }
  }
}
"""
END = """
mutation ($input: EndHighPotentialInput!) {
  endHighPotential(input: $input) {
    __typename
    ... on HighPotentialPayload { designation { endedOn endReason } }
  }
}
"""
FIELDS = """
potential { potential assessedOn }
potentialHistory { potential }
highPotential { reason }
highPotentialHistory { reason endedOn }
"""


async def assess(session: AsyncSession, **values: Any) -> dict[str, Any]:
    data = await execute(session, ASSESS, as_=HR_LEADER, variables={"input": values})
    return data["assessPotential"]  # type: ignore[no-any-return]


async def test_assessments_keep_history_and_the_latest_is_current(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E1")
    first = await assess(
        session, employeeId=str(ada.employee_id), potential="MEDIUM", assessedOn="2025-03-01"
    )
    assert first["assessment"] == {
        "potential": "MEDIUM",
        "assessedOn": "2025-03-01",
        "reviewBy": "2026-03-01",
        "assessor": None,
    }
    await assess(
        session, employeeId=str(ada.employee_id), potential="HIGH", assessedOn="2026-02-01"
    )

    found = await employee_fields(session, ada.employee_id, FIELDS, as_=HR_LEADER)

    assert found["potential"] == {"potential": "HIGH", "assessedOn": "2026-02-01"}
    assert [h["potential"] for h in found["potentialHistory"]] == ["HIGH", "MEDIUM"]
    events = await outbox_events(session, PotentialAssessed.event_type)
    assert [e.potential for e in events] == ["medium", "high"]  # type: ignore[attr-defined]
    audited = (await session.scalars(select(AuditEntry.action))).all()
    assert audited == ["potential.assessed", "potential.assessed"]


async def test_invalid_assessments_name_their_fields(session: AsyncSession) -> None:
    gone = await make_employee(session, number="E1", status="terminated")
    result = await assess(
        session,
        employeeId=str(gone.employee_id),
        potential="LOW",
        assessedOn="2999-01-01",
        reviewBy="2000-01-01",
    )
    assert result["__typename"] == "ValidationError"
    assert {f["field"] for f in result["fields"]} == {
        "input.employeeId",
        "input.assessedOn",
        "input.reviewBy",
    }


async def test_designation_is_single_open_and_ending_it_keeps_history(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E1")
    values = {"employeeId": str(ada.employee_id), "designatedOn": "2026-01-10", "reason": "Top"}
    made = await execute(session, DESIGNATE, as_=HR_LEADER, variables={"input": values})
    assert made["designateHighPotential"]["designation"] == {
        "reason": "Top",
        "reviewDate": "2027-01-10",
        "endedOn": None,
    }
    again = await execute(session, DESIGNATE, as_=HR_LEADER, variables={"input": values})
    assert again["designateHighPotential"]["__typename"] == "Conflict"

    ended = await execute(
        session,
        END,
        as_=HR_LEADER,
        variables={
            "input": {"employeeId": str(ada.employee_id), "endedOn": "2026-06-01", "reason": "x"}
        },
    )
    assert ended["endHighPotential"]["designation"] == {"endedOn": "2026-06-01", "endReason": "x"}

    found = await employee_fields(session, ada.employee_id, FIELDS, as_=HR_LEADER)
    assert found["highPotential"] is None
    assert found["highPotentialHistory"] == [{"reason": "Top", "endedOn": "2026-06-01"}]
    events = await outbox_events(session, HighPotentialDesignated.event_type)
    assert [(e.designated, e.designated_on) for e in events] == [  # type: ignore[attr-defined]
        (True, dt.date(2026, 1, 10)),
        (False, dt.date(2026, 6, 1)),
    ]


async def test_only_hr_leaders_admins_and_granted_coordinators_see_potential(
    session: AsyncSession,
) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E2", manager=boss)
    await assess(
        session, employeeId=str(ada.employee_id), potential="HIGH", assessedOn="2026-02-01"
    )
    await execute(
        session,
        DESIGNATE,
        as_=HR_LEADER,
        variables={
            "input": {
                "employeeId": str(ada.employee_id),
                "designatedOn": "2026-02-01",
                "reason": "r",
            }
        },
    )
    hidden = {
        "potential": None,
        "potentialHistory": None,
        "highPotential": None,
        "highPotentialHistory": None,
    }

    # The employee themself (even as an hr_leader), their manager, an ungranted coordinator.
    for caller in (
        principal(ada),
        principal(ada, Role.HR_LEADER),
        principal(boss, Role.EMPLOYEE, Role.MANAGER),
        HR_COORDINATOR,
    ):
        assert await employee_fields(session, ada.employee_id, FIELDS, as_=caller) == hidden

    grant = (
        """mutation ($s: String!) { grantSuccessionAccess(input: {subject: $s}) { __typename } }"""
    )
    from ..factories import ADMIN

    granted = await execute(session, grant, as_=ADMIN, variables={"s": HR_COORDINATOR.subject})
    assert granted["grantSuccessionAccess"]["__typename"] == "AccessGrantPayload"
    seen = await employee_fields(session, ada.employee_id, FIELDS, as_=HR_COORDINATOR)
    assert seen["potential"] == {"potential": "HIGH", "assessedOn": "2026-02-01"}
    assert seen["highPotential"] == {"reason": "r"}
