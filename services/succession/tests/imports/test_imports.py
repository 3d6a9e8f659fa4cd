"""CSV imports of key roles and potential: all or nothing, row errors, idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.succession import KeyRoleDefined, KeyRoleVacated, PotentialAssessed
from talent_platform.auth import Role
from talent_succession.key_roles.models import KeyRole
from talent_succession.ninebox.models import CurrentPlacement
from talent_succession.potential.models import PotentialAssessment

from ..factories import HR_LEADER, execute, make_employee, outbox_events, principal

IMPORT = """
mutation ($input: ImportSuccessionCsvInput!) {
  importSuccessionCsv(input: $input) {
    __typename
    ... on ImportPayload { rows created updated unchanged events dryRun }
    ... on ValidationError { message fields { field message } }
  }
}
"""


async def run_import(
    session: AsyncSession, kind: str, csv: str, *, dry_run: bool = False
) -> dict[str, Any]:
    data = await execute(
        session,
        IMPORT,
        as_=HR_LEADER,
        variables={"input": {"kind": kind, "csv": csv, "dryRun": dry_run}},
    )
    return data["importSuccessionCsv"]  # type: ignore[no-any-return]


KEY_ROLES = """code,title,job_profile_code,incumbent_id,criticality
CFO,Chief Financial Officer,cfo,E1,high
CTO,Chief Technology Officer,,,Medium
"""


async def test_key_roles_import_creates_then_changes_nothing_then_updates(
    session: AsyncSession,
) -> None:
    cfo = await make_employee(session, number="E1")

    first = await run_import(session, "KEY_ROLES", KEY_ROLES)
    again = await run_import(session, "KEY_ROLES", KEY_ROLES)
    cleared = await run_import(session, "KEY_ROLES", KEY_ROLES.replace("cfo,E1,high", "cfo,,high"))

    assert first == {
        "__typename": "ImportPayload",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "events": 2,
        "dryRun": False,
    }
    assert (again["created"], again["updated"], again["unchanged"], again["events"]) == (0, 0, 2, 0)
    assert (cleared["updated"], cleared["events"]) == (1, 2)
    roles = {r.code: r for r in (await session.scalars(select(KeyRole))).all()}
    await session.refresh(roles["CFO"])
    assert (roles["CFO"].incumbent_id, roles["CTO"].criticality) == (None, "medium")
    assert roles["CFO"].vacated_on is not None
    assert len(await outbox_events(session, KeyRoleDefined.event_type)) == 3
    vacated = await outbox_events(session, KeyRoleVacated.event_type)
    assert [(v.code, v.previous_incumbent_id) for v in vacated] == [("CFO", cfo.employee_id)]  # type: ignore[attr-defined]


async def test_a_bad_key_roles_file_imports_nothing_and_names_each_row(
    session: AsyncSession,
) -> None:
    await make_employee(session, number="E9", status="terminated")
    bad = """code,title,job_profile_code,incumbent_id,criticality
CFO,CFO,,E404,high
CTO,,,,urgent
CFO,Again,,,low
OPS,Ops,,E9,low
"""
    result = await run_import(session, "KEY_ROLES", bad)

    assert result["__typename"] == "ValidationError"
    assert [(f["field"], f["message"]) for f in result["fields"]] == [
        ("row 2: incumbent_id", "unknown employee 'E404'"),
        ("row 3: title", "is required"),
        ("row 3: criticality", "'urgent' is not one of low, medium, high"),
        ("row 5: incumbent_id", "employee E9 is not active"),
        ("row 4: code", "repeats row 2"),
    ]
    assert await session.scalar(select(func.count()).select_from(KeyRole)) == 0


async def test_potential_import_is_idempotent_and_validates(session: AsyncSession) -> None:
    await make_employee(session, number="E1")
    await make_employee(session, number="E2")
    csv = """employee_id,potential,assessed_on
E1,high,2025-03-01
E1,medium,2026-03-01
E2,low,2026-03-01
"""
    dry = await run_import(session, "POTENTIAL", csv, dry_run=True)
    assert (dry["created"], dry["dryRun"]) == (3, True)
    assert await session.scalar(select(func.count()).select_from(PotentialAssessment)) == 0

    first = await run_import(session, "POTENTIAL", csv)
    again = await run_import(session, "POTENTIAL", csv)

    assert (first["created"], first["events"]) == (3, 3)
    assert (again["created"], again["unchanged"], again["events"]) == (0, 3, 0)
    assert len(await outbox_events(session, PotentialAssessed.event_type)) == 3
    # The 9-box's current placement follows the latest imported assessment.
    current = (await session.scalars(select(CurrentPlacement.potential))).all()
    assert sorted(current) == ["low", "medium"]

    bad = await run_import(
        session,
        "POTENTIAL",
        "employee_id,potential,assessed_on\nE404,high,2025-01-01\nE1,huge,2999-01-01\n"
        "E2,low,2025-01-01\nE2,high,2025-01-01\n",
    )
    assert [f["field"] for f in bad["fields"]] == [
        "row 2: employee_id",
        "row 3: potential",
        "row 3: assessed_on",
        "row 5: assessed_on",
    ]


async def test_managers_cannot_import(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    data = await execute(
        session,
        IMPORT,
        as_=principal(boss, Role.MANAGER),
        variables={"input": {"kind": "POTENTIAL", "csv": "employee_id,potential,assessed_on\n"}},
    )
    assert data["importSuccessionCsv"]["__typename"] == "Forbidden"
