"""Successor slates: nominations, readiness, ranks, removal, history and audit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.succession import ReadinessAssessed, SuccessorNominated, SuccessorRemoved
from talent_platform.auth import Role
from talent_succession.audit.models import AuditEntry

from ..factories import (
    HR_LEADER,
    employee_fields,
    execute,
    make_employee,
    make_key_role,
    nominate,
    outbox_events,
    principal,
    run,
)

SLATE = """
query ($code: String!, $removed: Boolean!) {
  keyRole(code: $code) {
    benchStrength { readyNow ready1To2Years ready3PlusYears total }
    slate(includeRemoved: $removed) {
      rank readiness notes emergency removedReason employee { id }
      readinessHistory { readiness assessedOn }
    }
  }
}
"""
ASSESS = """
mutation ($input: AssessReadinessInput!) {
  assessReadiness(input: $input) { __typename ... on NominationPayload { nomination { readiness } } }
}
"""
UPDATE = """
mutation ($input: UpdateSuccessorInput!) {
  updateSuccessor(input: $input) {
    __typename
    ... on NominationPayload { nomination { rank notes emergency } }
    ... on ValidationError { fields { field message } }
  }
}
"""
REMOVE = """
mutation ($input: RemoveSuccessorInput!) {
  removeSuccessor(input: $input) {
    __typename ... on NominationPayload { nomination { removedOn removedReason } }
  }
}
"""


async def slate(session: AsyncSession, code: str, *, removed: bool = False) -> dict[str, Any]:
    data = await execute(
        session, SLATE, as_=HR_LEADER, variables={"code": code, "removed": removed}
    )
    return data["keyRole"]  # type: ignore[no-any-return]


async def test_nominating_two_successors_builds_a_ranked_slate(session: AsyncSession) -> None:
    cfo = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E2")
    bob = await make_employee(session, number="E3")
    role = await make_key_role(session, code="CFO", incumbent=cfo)
    suggestion = uuid.uuid4()

    first = await nominate(
        session,
        keyRoleCode="CFO",
        employeeId=str(ada.employee_id),
        readiness="READY_1_2_YEARS",
        nominatedOn="2026-01-15",
    )
    second = await nominate(
        session,
        keyRoleCode="CFO",
        employeeId=str(bob.employee_id),
        readiness="READY_NOW",
        emergency=True,
        suggestionId=str(suggestion),
    )

    assert first["nomination"]["rank"] == 1
    assert first["nomination"]["reviewBy"] == "2027-01-15"
    assert (second["nomination"]["rank"], second["nomination"]["suggestionId"]) == (
        2,
        str(suggestion),
    )
    found = await slate(session, "CFO")
    assert found["benchStrength"] == {
        "readyNow": 1,
        "ready1To2Years": 1,
        "ready3PlusYears": 0,
        "total": 2,
    }
    assert [(s["rank"], s["employee"]["id"], s["emergency"]) for s in found["slate"]] == [
        (1, str(ada.employee_id), False),
        (2, str(bob.employee_id), True),
    ]
    nominated = await outbox_events(session, SuccessorNominated.event_type)
    assert [(e.key_role_id, e.suggestion_id) for e in nominated] == [  # type: ignore[attr-defined]
        (role.id, None),
        (role.id, suggestion),
    ]
    assert len(await outbox_events(session, ReadinessAssessed.event_type)) == 2


async def test_readiness_is_reassessed_with_history(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E2")
    await make_key_role(session, code="CFO")
    made = await nominate(
        session,
        keyRoleCode="CFO",
        employeeId=str(ada.employee_id),
        readiness="READY_3_PLUS_YEARS",
        nominatedOn="2025-01-15",
    )
    nomination_id = made["nomination"]["id"]

    result = await execute(
        session,
        ASSESS,
        as_=HR_LEADER,
        variables={
            "input": {
                "nominationId": nomination_id,
                "readiness": "READY_NOW",
                "assessedOn": "2026-02-01",
            }
        },
    )

    assert result["assessReadiness"]["nomination"]["readiness"] == "READY_NOW"
    found = await slate(session, "CFO")
    assert found["slate"][0]["readinessHistory"] == [
        {"readiness": "READY_NOW", "assessedOn": "2026-02-01"},
        {"readiness": "READY_3_PLUS_YEARS", "assessedOn": "2025-01-15"},
    ]
    assert found["benchStrength"]["readyNow"] == 1
    audit = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "readiness.assessed"))
    ).one()
    assert (audit.before["readiness"], audit.after["readiness"]) == (  # type: ignore[index]
        "ready_3_plus_years",
        "ready_now",
    )


async def test_the_rules_of_a_slate(session: AsyncSession) -> None:
    cfo = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E2")
    bob = await make_employee(session, number="E3")
    gone = await make_employee(session, number="E4", status="terminated")
    await make_key_role(session, code="CFO", incumbent=cfo)
    await nominate(
        session, keyRoleCode="CFO", employeeId=str(ada.employee_id), readiness="READY_NOW"
    )

    incumbent = await nominate(
        session, keyRoleCode="CFO", employeeId=str(cfo.employee_id), readiness="READY_NOW"
    )
    terminated = await nominate(
        session, keyRoleCode="CFO", employeeId=str(gone.employee_id), readiness="READY_NOW"
    )
    twice = await nominate(
        session, keyRoleCode="CFO", employeeId=str(ada.employee_id), readiness="READY_NOW"
    )
    rank_taken = await nominate(
        session, keyRoleCode="CFO", employeeId=str(bob.employee_id), readiness="READY_NOW", rank=1
    )
    future = await nominate(
        session,
        keyRoleCode="CFO",
        employeeId=str(bob.employee_id),
        readiness="READY_NOW",
        nominatedOn="2999-01-01",
    )
    no_role = await nominate(
        session, keyRoleCode="NOPE", employeeId=str(bob.employee_id), readiness="READY_NOW"
    )

    assert incumbent["fields"] == [
        {"field": "input.employeeId", "message": "the incumbent cannot succeed themself"}
    ]
    assert terminated["fields"][0]["field"] == "input.employeeId"
    assert "terminated" in terminated["fields"][0]["message"]
    assert twice["__typename"] == "Conflict"
    assert rank_taken["fields"] == [
        {"field": "input.rank", "message": "rank 1 is taken on the slate of CFO"}
    ]
    assert future["fields"][0]["field"] == "input.nominatedOn"
    assert no_role["__typename"] == "NotFound"


async def test_reranking_and_removal_keep_history(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E2")
    bob = await make_employee(session, number="E3")
    await make_key_role(session, code="CFO")
    a = await nominate(
        session, keyRoleCode="CFO", employeeId=str(ada.employee_id), readiness="READY_NOW"
    )
    b = await nominate(
        session, keyRoleCode="CFO", employeeId=str(bob.employee_id), readiness="READY_NOW"
    )

    clash = await execute(
        session,
        UPDATE,
        as_=HR_LEADER,
        variables={"input": {"nominationId": b["nomination"]["id"], "rank": 1}},
    )
    assert clash["updateSuccessor"]["__typename"] == "ValidationError"
    moved = await execute(
        session,
        UPDATE,
        as_=HR_LEADER,
        variables={"input": {"nominationId": b["nomination"]["id"], "rank": 5, "notes": "n"}},
    )
    assert moved["updateSuccessor"]["nomination"] == {"rank": 5, "notes": "n", "emergency": False}

    removed = await execute(
        session,
        REMOVE,
        as_=HR_LEADER,
        variables={"input": {"nominationId": a["nomination"]["id"], "reason": "Left the team"}},
    )
    assert removed["removeSuccessor"]["nomination"]["removedReason"] == "Left the team"
    # Rank 1 is free again once its holder is removed.
    back = await execute(
        session,
        UPDATE,
        as_=HR_LEADER,
        variables={"input": {"nominationId": b["nomination"]["id"], "rank": 1}},
    )
    assert back["updateSuccessor"]["nomination"]["rank"] == 1

    current = await slate(session, "CFO")
    assert [s["employee"]["id"] for s in current["slate"]] == [str(bob.employee_id)]
    history = await slate(session, "CFO", removed=True)
    assert [s["removedReason"] for s in history["slate"]] == [None, "Left the team"]
    events = await outbox_events(session, SuccessorRemoved.event_type)
    assert [e.reason for e in events] == ["Left the team"]  # type: ignore[attr-defined]


async def test_every_slate_read_is_audited_and_nobody_sees_their_own(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E2")
    boss = await make_employee(session, number="E1")
    role = await make_key_role(session, code="CFO")
    await nominate(
        session, keyRoleCode="CFO", employeeId=str(ada.employee_id), readiness="READY_NOW"
    )

    await slate(session, "CFO")
    reads = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "slate.read"))
    ).all()
    assert [(r.actor, r.entity_id) for r in reads] == [("hr-leader", str(role.id))]

    # Ada, even as an hr_leader, does not see her own nomination.
    ada_as_leader = principal(ada, Role.HR_LEADER)
    data = await execute(
        session, SLATE, as_=ada_as_leader, variables={"code": "CFO", "removed": True}
    )
    assert data["keyRole"]["slate"] == []
    own = await employee_fields(session, ada.employee_id, "nominations { rank }", as_=ada_as_leader)
    assert own == {"nominations": None}
    seen = await employee_fields(session, ada.employee_id, "nominations { rank }", as_=HR_LEADER)
    assert seen == {"nominations": [{"rank": 1}]}

    for caller in (principal(ada), principal(boss, Role.MANAGER)):
        denied, errors = await run(
            session, SLATE, as_=caller, variables={"code": "CFO", "removed": False}
        )
        assert denied == {"keyRole": None}
        assert "hr_leader and admin only" in errors[0].message
