"""Defining key roles and listing them, through the real schema."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.succession import KeyRoleDefined, KeyRoleVacated
from talent_platform.auth import Role
from talent_succession.audit.models import AuditEntry

from ..factories import (
    HR_LEADER,
    execute,
    make_employee,
    make_key_role,
    outbox_events,
    principal,
    refused,
    run,
)

DEFINE = """
mutation ($input: DefineKeyRoleInput!) {
  defineKeyRole(input: $input) {
    __typename
    ... on DefineKeyRolePayload {
      keyRole { code title criticality riskOfLoss vacant vacatedOn incumbent { id } }
    }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""

LIST = """
query ($filter: KeyRoleFilterInput, $sort: KeyRoleSort!, $desc: Boolean!, $first: Int) {
  keyRoles(filter: $filter, sort: $sort, descending: $desc, first: $first) {
    totalCount
    pageInfo { hasNextPage }
    nodes { code }
  }
}
"""

ENTITY = """
query ($id: ID!) {
  _entities(representations: [{__typename: "KeyRole", id: $id}]) {
    ... on KeyRole { code title }
  }
}
"""


async def define(session: AsyncSession, **values: Any) -> dict[str, Any]:
    data = await execute(session, DEFINE, as_=HR_LEADER, variables={"input": values})
    return data["defineKeyRole"]  # type: ignore[no-any-return]


async def test_hr_defines_a_key_role_and_it_is_published(session: AsyncSession) -> None:
    cfo = await make_employee(session, number="E1")

    result = await define(
        session,
        code="CFO",
        title="Chief Financial Officer",
        criticality="HIGH",
        riskOfLoss="MEDIUM",
        incumbentId=str(cfo.employee_id),
    )

    assert result == {
        "__typename": "DefineKeyRolePayload",
        "keyRole": {
            "code": "CFO",
            "title": "Chief Financial Officer",
            "criticality": "HIGH",
            "riskOfLoss": "MEDIUM",
            "vacant": False,
            "vacatedOn": None,
            "incumbent": {"id": str(cfo.employee_id)},
        },
    }
    events = await outbox_events(session, KeyRoleDefined.event_type)
    assert [(e.code, e.incumbent_id) for e in events] == [("CFO", cfo.employee_id)]  # type: ignore[attr-defined]
    audit = (await session.scalars(select(AuditEntry))).all()
    assert [(a.action, a.actor, a.after["code"]) for a in audit] == [  # type: ignore[index]
        ("key_role.defined", "hr-leader", "CFO")
    ]


async def test_redefining_changes_the_role_and_clearing_the_incumbent_vacates_it(
    session: AsyncSession,
) -> None:
    cfo = await make_employee(session, number="E1")
    await define(
        session, code="CFO", title="CFO", criticality="HIGH", incumbentId=str(cfo.employee_id)
    )
    unchanged = await define(
        session, code="CFO", title="CFO", criticality="HIGH", incumbentId=str(cfo.employee_id)
    )
    assert unchanged["keyRole"]["vacant"] is False
    assert len(await outbox_events(session, KeyRoleDefined.event_type)) == 1

    cleared = await define(session, code="CFO", title="CFO", criticality="HIGH")

    assert cleared["keyRole"]["vacant"] is True
    assert cleared["keyRole"]["vacatedOn"] is not None
    vacated = await outbox_events(session, KeyRoleVacated.event_type)
    assert [(v.reason, v.previous_incumbent_id) for v in vacated] == [("cleared", cfo.employee_id)]  # type: ignore[attr-defined]
    changes = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "key_role.changed"))
    ).all()
    assert changes[0].before["incumbent_id"] == str(cfo.employee_id)  # type: ignore[index]
    assert changes[0].after["incumbent_id"] is None  # type: ignore[index]


async def test_invalid_input_names_the_fields(session: AsyncSession) -> None:
    gone = await make_employee(session, number="E9", status="terminated")

    result = await define(
        session, code=" ", title="", criticality="LOW", incumbentId=str(gone.employee_id)
    )

    assert result["__typename"] == "ValidationError"
    assert {f["field"] for f in result["fields"]} == {
        "input.code",
        "input.title",
        "input.incumbentId",
    }


async def test_key_roles_filter_sort_and_page(session: AsyncSession) -> None:
    holder = await make_employee(session, number="E1")
    await define(session, code="A-OPS", title="Head of Operations", criticality="LOW")
    await define(
        session,
        code="B-CFO",
        title="Chief Financial Officer",
        criticality="HIGH",
        orgUnitCode="finance",
        incumbentId=str(holder.employee_id),
    )
    await define(session, code="C-CTO", title="Chief Technology Officer", criticality="MEDIUM")

    async def codes(**variables: Any) -> list[str]:
        data = await execute(
            session,
            LIST,
            as_=HR_LEADER,
            variables={"sort": "CODE", "desc": False, **variables},
        )
        return [n["code"] for n in data["keyRoles"]["nodes"]]

    assert await codes() == ["A-OPS", "B-CFO", "C-CTO"]
    assert await codes(sort="CRITICALITY", desc=True) == ["B-CFO", "C-CTO", "A-OPS"]
    assert await codes(filter={"search": "chief"}) == ["B-CFO", "C-CTO"]
    assert await codes(filter={"vacant": True}) == ["A-OPS", "C-CTO"]
    assert await codes(filter={"orgUnitCode": "finance"}) == ["B-CFO"]
    assert await codes(filter={"criticality": "MEDIUM"}) == ["C-CTO"]
    assert await codes(filter={"withoutReadySuccessor": True}) == ["A-OPS", "B-CFO", "C-CTO"]
    page = await execute(
        session, LIST, as_=HR_LEADER, variables={"sort": "CODE", "desc": False, "first": 2}
    )
    assert page["keyRoles"]["totalCount"] == 3
    assert page["keyRoles"]["pageInfo"]["hasNextPage"] is True


async def test_every_key_role_list_read_is_in_the_audit_log(session: AsyncSession) -> None:
    await define(session, code="A-OPS", title="Head of Operations", criticality="LOW")
    await define(session, code="B-CFO", title="Chief Financial Officer", criticality="HIGH")

    await execute(
        session,
        LIST,
        as_=HR_LEADER,
        variables={"sort": "CODE", "desc": False, "filter": {"criticality": "HIGH"}},
    )

    entries = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "key_roles.listed"))
    ).all()
    assert [(e.actor, e.entity, e.after) for e in entries] == [
        (
            HR_LEADER.subject,
            "key_role",
            {"filter": {"criticality": "high"}, "total": 1, "returned": ["B-CFO"]},
        )
    ]


async def test_employees_and_managers_get_no_key_roles(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    await make_employee(session, number="E2", manager=boss)
    await define(session, code="CFO", title="CFO", criticality="HIGH")

    for token in (principal(boss, Role.EMPLOYEE, Role.MANAGER), principal(boss)):
        data, errors = await run(
            session, LIST, as_=token, variables={"sort": "CODE", "desc": False}
        )
        assert refused(data)
        assert len(errors) == 1
        assert "visible to hr_leader and admin only" in errors[0].message
        denied, _ = await run(
            session,
            DEFINE,
            as_=token,
            variables={"input": {"code": "X", "title": "X", "criticality": "LOW"}},
        )
        assert denied is not None
        assert denied["defineKeyRole"]["__typename"] == "Forbidden"


async def test_the_audit_log_lists_changes_newest_first_for_hr_leaders_only(
    session: AsyncSession,
) -> None:
    await define(session, code="CFO", title="CFO", criticality="HIGH")
    await define(session, code="CFO", title="Chief Financial Officer", criticality="HIGH")
    log = """{ successionAuditLog(entity: "key_role") {
      totalCount nodes { actor action before after } } }"""

    data = await execute(session, log, as_=HR_LEADER)

    entries = data["successionAuditLog"]["nodes"]
    assert data["successionAuditLog"]["totalCount"] == 2
    assert {e["action"] for e in entries} == {"key_role.defined", "key_role.changed"}
    changed = next(e for e in entries if e["action"] == "key_role.changed")
    assert (changed["actor"], changed["before"]["title"], changed["after"]["title"]) == (
        "hr-leader",
        "CFO",
        "Chief Financial Officer",
    )
    boss = await make_employee(session, number="E1")
    denied, errors = await run(session, log, as_=principal(boss, Role.MANAGER))
    assert refused(denied) and "requires one of the roles" in errors[0].message


async def test_hr_leaders_resolve_a_key_role_entity_by_id(session: AsyncSession) -> None:
    role = await make_key_role(session, code="CFO")
    await make_key_role(session, code="CTO")

    data = await execute(session, ENTITY, as_=HR_LEADER, variables={"id": str(role.id)})

    assert data == {"_entities": [{"code": "CFO", "title": "Role CFO"}]}


async def test_employees_and_managers_get_forbidden_for_a_key_role_entity(
    session: AsyncSession,
) -> None:
    boss = await make_employee(session, number="E1")
    role = await make_key_role(session, code="CFO")

    for token in (principal(boss, Role.EMPLOYEE, Role.MANAGER), principal(boss)):
        data, errors = await run(session, ENTITY, as_=token, variables={"id": str(role.id)})

        assert data == {"_entities": [None]}
        assert len(errors) == 1
        assert (errors[0].extensions or {})["code"] == "FORBIDDEN"
        assert "visible to hr_leader and admin only" in errors[0].message


async def test_an_unknown_or_malformed_key_role_id_resolves_to_null(session: AsyncSession) -> None:
    await make_key_role(session, code="CFO")

    for unknown in (str(uuid.uuid4()), "not-a-uuid"):
        data = await execute(session, ENTITY, as_=HR_LEADER, variables={"id": unknown})

        assert data == {"_entities": [None]}
