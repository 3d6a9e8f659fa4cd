"""Customer-supplied diversity attributes and the slate-diversity report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal, Role
from talent_succession.audit.models import AuditEntry
from talent_succession.people.models import EmployeeProjection

from ..factories import (
    ADMIN,
    HR_COORDINATOR,
    HR_LEADER,
    execute,
    make_employee,
    make_key_role,
    nominate,
    outbox_count,
    principal,
    refused,
    run,
)

SET = """mutation ($input: SetDiversityAttributesInput!) {
  setDiversityAttributes(input: $input) {
    __typename
    ... on DiversityAttributesPayload { attributes { name value suppliedBy } }
    ... on ValidationError { fields { field message } }
    ... on Error { message }
  }
}"""
READ = """query ($id: ID!) { diversityAttributes(employeeId: $id) { name value } }"""
REPORT = """{ slateDiversityReport {
  dataSupplied
  overall { attribute value notSupplied nominees }
  byKeyRole { keyRoleCode attribute value notSupplied nominees }
} }"""
CSV = """{ successionReportCsv(report: SLATE_DIVERSITY) }"""


async def _set(
    session: AsyncSession, employee: EmployeeProjection, *pairs: tuple[str, str], as_: Any = None
) -> dict[str, Any]:
    data = await execute(
        session,
        SET,
        as_=as_ or HR_LEADER,
        variables={
            "input": {
                "employeeId": str(employee.employee_id),
                "attributes": [{"name": n, "value": v} for n, v in pairs],
            }
        },
    )
    return data["setDiversityAttributes"]  # type: ignore[no-any-return]


async def _audit(session: AsyncSession, action: str) -> list[AuditEntry]:
    return list(
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.at)
        )
    )


async def test_without_supplied_data_the_report_says_so_and_shows_nothing(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E1")
    await make_key_role(session, code="CFO")
    await nominate(
        session, keyRoleCode="CFO", employeeId=str(ada.employee_id), readiness="READY_NOW"
    )

    data = await execute(session, REPORT, as_=HR_LEADER)
    csv = (await execute(session, CSV, as_=HR_LEADER))["successionReportCsv"]

    assert data["slateDiversityReport"] == {"dataSupplied": False, "overall": [], "byKeyRole": []}
    assert csv == "key_role_code,attribute,value,not_supplied,nominees\n"
    assert len(await _audit(session, "report.read")) == 2


async def test_slate_diversity_counts_values_and_not_supplied_per_role_and_overall(
    session: AsyncSession,
) -> None:
    ada, bob, cy, dee = [await make_employee(session, number=f"E{i}") for i in range(1, 5)]
    await make_key_role(session, code="CFO")
    await make_key_role(session, code="CTO", org_unit="tech")
    for employee, code in ((ada, "CFO"), (bob, "CFO"), (cy, "CFO"), (ada, "CTO"), (dee, "CTO")):
        await nominate(
            session, keyRoleCode=code, employeeId=str(employee.employee_id), readiness="READY_NOW"
        )
    await _set(session, ada, ("gender", "female"), ("age_band", "30-39"))
    await _set(session, bob, ("gender", "male"))
    await _set(session, dee, ("gender", "female"))
    events_before = await outbox_count(session)

    report = (await execute(session, REPORT, as_=HR_LEADER))["slateDiversityReport"]
    csv = (await execute(session, CSV, as_=HR_LEADER))["successionReportCsv"]

    def row(attribute: str, value: str | None, n: int) -> dict[str, Any]:
        return {"attribute": attribute, "value": value, "notSupplied": value is None, "nominees": n}

    assert report["dataSupplied"] is True
    assert report["overall"] == [
        row("age_band", "30-39", 2),
        row("age_band", None, 3),
        row("gender", "female", 3),
        row("gender", "male", 1),
        row("gender", None, 1),
    ]
    assert report["byKeyRole"] == [
        {"keyRoleCode": "CFO", **row("age_band", "30-39", 1)},
        {"keyRoleCode": "CFO", **row("age_band", None, 2)},
        {"keyRoleCode": "CFO", **row("gender", "female", 1)},
        {"keyRoleCode": "CFO", **row("gender", "male", 1)},
        {"keyRoleCode": "CFO", **row("gender", None, 1)},
        {"keyRoleCode": "CTO", **row("age_band", "30-39", 1)},
        {"keyRoleCode": "CTO", **row("age_band", None, 1)},
        {"keyRoleCode": "CTO", **row("gender", "female", 2)},
    ]
    assert csv.splitlines()[:3] == [
        "key_role_code,attribute,value,not_supplied,nominees",
        ",age_band,30-39,false,2",
        ",age_band,,true,3",
    ]
    assert "CTO,gender,female,false,2" in csv.splitlines()
    assert await outbox_count(session) == events_before  # never published


async def test_setting_is_validated_idempotent_replacing_and_audited(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E1")

    first = await _set(session, ada, ("gender", "female"), ("ethnicity", "group A"))
    again = await _set(session, ada, ("ethnicity", "group A"), ("gender", "female"))
    invalid = await _set(session, ada, ("gender", "x"), ("gender", ""), (" ", "y"))
    replaced = await _set(session, ada, ("gender", "non-binary"))
    cleared = await _set(session, ada)

    assert first == {
        "__typename": "DiversityAttributesPayload",
        "attributes": [
            {"name": "ethnicity", "value": "group A", "suppliedBy": "hr-leader"},
            {"name": "gender", "value": "female", "suppliedBy": "hr-leader"},
        ],
    }
    assert again == first
    assert invalid["fields"] == [
        {"field": "input.attributes[1].value", "message": "must be 1-200 characters"},
        {"field": "input.attributes[1].name", "message": "is given twice"},
        {"field": "input.attributes[2].name", "message": "must be 1-100 characters"},
    ]
    assert replaced["attributes"] == [
        {"name": "gender", "value": "non-binary", "suppliedBy": "hr-leader"}
    ]
    assert cleared["attributes"] == []
    changes = await _audit(session, "diversity.set")
    assert [(c.before, c.after) for c in changes] == [
        ({}, {"gender": "female", "ethnicity": "group A"}),
        ({"gender": "female", "ethnicity": "group A"}, {"gender": "non-binary"}),
        ({"gender": "non-binary"}, {}),
    ]
    assert {c.entity_id for c in changes} == {str(ada.employee_id)}

    unknown = await execute(
        session,
        SET,
        as_=ADMIN,
        variables={
            "input": {"employeeId": "00000000-0000-0000-0000-000000000001", "attributes": []}
        },
    )
    assert unknown["setDiversityAttributes"]["fields"][0]["field"] == "input.employeeId"


async def test_only_hr_leader_and_admin_write_and_confidential_roles_read(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E1")
    boss = await make_employee(session, number="E2")
    ada_id = str(ada.employee_id)
    outsiders = (HR_COORDINATOR, principal(boss, Role.MANAGER), principal(ada, Role.EMPLOYEE))
    herself = principal(ada, Role.HR_LEADER)
    await _set(session, ada, ("gender", "female"), as_=ADMIN)

    read = await execute(session, READ, as_=HR_LEADER, variables={"id": ada_id})
    assert read["diversityAttributes"] == [{"name": "gender", "value": "female"}]
    reads = await _audit(session, "diversity.read")
    assert [(r.actor, r.entity_id) for r in reads] == [("hr-leader", ada_id)]

    for who in outsiders:
        denied = await _set(session, ada, ("gender", "male"), as_=who)
        assert denied["__typename"] == "Forbidden"

    # A granted hr_coordinator reads (the existing grant model) but still cannot write.
    granted = await execute(
        session,
        """mutation ($s: String!) { grantSuccessionAccess(input: {subject: $s}) { __typename } }""",
        as_=ADMIN,
        variables={"s": HR_COORDINATOR.subject},
    )
    assert granted["grantSuccessionAccess"]["__typename"] == "AccessGrantPayload"
    read = await execute(session, READ, as_=HR_COORDINATOR, variables={"id": ada_id})
    assert read["diversityAttributes"] == [{"name": "gender", "value": "female"}]
    denied = await _set(session, ada, ("gender", "male"), as_=HR_COORDINATOR)
    assert denied["__typename"] == "Forbidden"
    assert [c.actor for c in await _audit(session, "diversity.set")] == ["admin"]

    # Queries that fail end the request's transaction: these come last.
    ungranted = Principal(
        subject="another-coordinator", employee_id=None, roles=frozenset({Role.HR_COORDINATOR})
    )
    for who in (ungranted, *outsiders[1:]):
        data, errors = await run(session, READ, as_=who, variables={"id": ada_id})
        assert refused(data) and "hr_leader and admin only" in errors[0].message
        data, errors = await run(session, REPORT, as_=who)
        assert refused(data) and "hr_leader and admin only" in errors[0].message
    # An hr_leader who is the employee never reads their own attributes.
    data, errors = await run(session, READ, as_=herself, variables={"id": ada_id})
    assert refused(data) and errors


IMPORT = """
mutation ($input: ImportSuccessionCsvInput!) {
  importSuccessionCsv(input: $input) {
    __typename
    ... on ImportPayload { rows created updated unchanged events dryRun }
    ... on ValidationError { fields { field message } }
    ... on Error { message }
  }
}
"""


async def _import(session: AsyncSession, csv: str, *, as_: Any = None) -> dict[str, Any]:
    data = await execute(
        session,
        IMPORT,
        as_=as_ or HR_LEADER,
        variables={"input": {"kind": "DIVERSITY", "csv": csv}},
    )
    return data["importSuccessionCsv"]  # type: ignore[no-any-return]


async def test_the_diversity_csv_is_all_or_nothing_idempotent_and_audited(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E1")
    bob = await make_employee(session, number="E2")
    await _set(session, ada, ("gender", "female"), ("age_band", "30-39"))
    events_before = await outbox_count(session)

    bad = await _import(
        session,
        "employee_id,attribute,value\nE1,gender,male\nE9,gender,x\nE2,,y\nE1,gender,female\n",
    )
    assert bad["fields"] == [
        {"field": "row 3: employee_id", "message": "unknown employee 'E9'"},
        {"field": "row 4: attribute", "message": "is required"},
        {"field": "row 5: attribute", "message": "repeats row 2"},
    ]
    good = "employee_id,attribute,value\nE1,gender,non-binary\nE2,gender,male\nE2,age_band,40-49\n"
    first = await _import(session, good)
    again = await _import(session, good)
    coordinator = await _import(session, good, as_=HR_COORDINATOR)

    assert first == {
        "__typename": "ImportPayload",
        "rows": 3,
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "events": 0,
        "dryRun": False,
    }
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == 3
    assert coordinator["__typename"] == "Forbidden"
    ada_read = await execute(session, READ, as_=HR_LEADER, variables={"id": str(ada.employee_id)})
    assert ada_read["diversityAttributes"] == [  # age_band kept: the file did not name it
        {"name": "age_band", "value": "30-39"},
        {"name": "gender", "value": "non-binary"},
    ]
    bob_read = await execute(session, READ, as_=HR_LEADER, variables={"id": str(bob.employee_id)})
    assert bob_read["diversityAttributes"] == [
        {"name": "age_band", "value": "40-49"},
        {"name": "gender", "value": "male"},
    ]
    imports = await _audit(session, "diversity.imported")
    assert [len(i.after["changes"]) for i in imports if i.after is not None] == [3, 0]
    assert await outbox_count(session) == events_before
