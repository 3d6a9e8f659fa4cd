"""Succession-notice recipients through the subgraph: admins add, list and remove them,
audited; anyone else is refused; an unknown employee, a duplicate and a blank org unit
are refused naming why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.audit.models import AuditEntry
from talent_platform.auth import Principal, Role

from ..factories import ADMIN, execute, hire, run

ADD = """
mutation ($input: AddSuccessionRecipientInput!) {
  addSuccessionRecipient(input: $input) {
    __typename
    ... on AddSuccessionRecipientPayload {
      recipient { id employee { id } orgUnitCode createdBy removedAt }
    }
    ... on ValidationError { code fields { field message } }
    ... on Error { code }
  }
}
"""

REMOVE = """
mutation ($employeeId: ID!) {
  removeSuccessionRecipient(input: {employeeId: $employeeId}) {
    __typename
    ... on RemoveSuccessionRecipientPayload { recipient { id removedAt } }
    ... on Error { code }
  }
}
"""

LIST = """
query { successionRecipients(first: 10) { totalCount nodes { employee { id } orgUnitCode } } }
"""

HR_LEADER = Principal(subject="hr", employee_id=None, roles=frozenset({Role.HR_LEADER}))


async def add(session: AsyncSession, as_: Principal = ADMIN, **input: Any) -> dict[str, Any]:
    data = await execute(session, ADD, as_=as_, variables={"input": input})
    return data["addSuccessionRecipient"]  # type: ignore[no-any-return]


async def test_an_admin_adds_lists_and_removes_a_recipient_audited(session: AsyncSession) -> None:
    hal = await session.run_sync(lambda s: hire(s, "Hal Leader"))
    hal_id = str(hal.employee_id)
    made = await add(session, employeeId=hal_id, orgUnitCode="Engineering")
    assert made["__typename"] == "AddSuccessionRecipientPayload"
    assert made["recipient"]["employee"] == {"id": hal_id}
    assert (made["recipient"]["orgUnitCode"], made["recipient"]["createdBy"]) == (
        "Engineering",
        "admin",
    )
    again = await add(session, employeeId=hal_id)
    assert again == {"__typename": "Conflict", "code": "CONFLICT"}

    listed = (await execute(session, LIST, as_=ADMIN))["successionRecipients"]
    assert listed == {
        "totalCount": 1,
        "nodes": [{"employee": {"id": hal_id}, "orgUnitCode": "Engineering"}],
    }

    removed = (await execute(session, REMOVE, as_=ADMIN, variables={"employeeId": hal_id}))[
        "removeSuccessionRecipient"
    ]
    assert removed["__typename"] == "RemoveSuccessionRecipientPayload"
    assert removed["recipient"]["removedAt"] is not None
    assert (await execute(session, LIST, as_=ADMIN))["successionRecipients"]["totalCount"] == 0
    twice = (await execute(session, REMOVE, as_=ADMIN, variables={"employeeId": hal_id}))[
        "removeSuccessionRecipient"
    ]
    assert twice == {"__typename": "NotFound", "code": "NOT_FOUND"}

    entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.at))).all()
    assert [(e.actor, e.action) for e in entries] == [
        ("admin", "succession_recipient.added"),
        ("admin", "succession_recipient.removed"),
    ]
    assert entries[0].after == {"employee_id": hal_id, "org_unit_code": "Engineering"}


async def test_only_admins_manage_recipients(session: AsyncSession) -> None:
    hal = await session.run_sync(lambda s: hire(s, "Hal Leader"))
    refused = await add(session, as_=HR_LEADER, employeeId=str(hal.employee_id))
    assert refused == {"__typename": "Forbidden", "code": "FORBIDDEN"}
    data, errors = await run(session, LIST, as_=HR_LEADER)
    assert data == {"successionRecipients": None}
    assert [e.extensions["code"] for e in errors] == ["FORBIDDEN"]


async def test_bad_input_is_refused_naming_the_field(session: AsyncSession) -> None:
    hal = await session.run_sync(lambda s: hire(s, "Hal Leader"))
    blank = await add(session, employeeId=str(hal.employee_id), orgUnitCode="  ")
    assert blank["__typename"] == "ValidationError"
    assert [f["field"] for f in blank["fields"]] == ["input.orgUnitCode"]
    bad_id = await add(session, employeeId="not-a-uuid")
    assert bad_id["__typename"] == "ValidationError"
    assert [f["field"] for f in bad_id["fields"]] == ["input.employeeId"]
    unknown = await add(session, employeeId="0b6a1d0e-5c4f-4a43-9d0e-1f2a3b4c5d6e")
    assert unknown == {"__typename": "NotFound", "code": "NOT_FOUND"}
