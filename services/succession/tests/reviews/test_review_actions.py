"""Talent-review decisions that carry out what they record (nomination, readiness change,
high-potential designation) in the same transaction, and notes that change nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.succession import (
    HighPotentialDesignated,
    ReadinessAssessed,
    SuccessorNominated,
)
from talent_platform.auth import Role
from talent_succession.audit.models import AuditEntry
from talent_succession.potential.models import HighPotentialDesignation
from talent_succession.reviews.models import ReviewDecision
from talent_succession.slates.models import Nomination, ReadinessAssessment

from ..factories import (
    HR_LEADER,
    execute,
    make_employee,
    make_key_role,
    outbox_count,
    outbox_events,
    principal,
    run,
)

CREATE = """mutation ($input: CreateTalentReviewInput!) {
  createTalentReview(input: $input) { ... on TalentReviewPayload { review { id } } }
}"""
DECIDE = """mutation ($input: RecordReviewDecisionInput!) {
  recordReviewDecision(input: $input) {
    __typename
    ... on ReviewDecisionPayload {
      decision { kind readiness keyRoleCode nominationId designationId }
    }
    ... on ValidationError { fields { field message } }
    ... on Error { message }
  }
}"""
SLATE = """query ($code: String!) {
  keyRole(code: $code) { slate { rank readiness notes emergency employee { id } } }
}"""


async def _review(session: AsyncSession, *employee_ids: uuid.UUID) -> str:
    data = await execute(
        session,
        CREATE,
        as_=HR_LEADER,
        variables={
            "input": {
                "title": "Finance talent review",
                "heldOn": "2026-10-01",
                "participantIds": [],
                "employeeIds": [str(e) for e in employee_ids],
            }
        },
    )
    return str(data["createTalentReview"]["review"]["id"])


async def _decide(session: AsyncSession, **values: Any) -> dict[str, Any]:
    data = await execute(session, DECIDE, as_=HR_LEADER, variables={"input": values})
    return data["recordReviewDecision"]  # type: ignore[no-any-return]


async def _count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_nomination_decision_nominates_with_event_and_audit(
    session: AsyncSession,
) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E2")
    await make_key_role(session, code="CFO", incumbent=boss)
    review_id = await _review(session, ada.employee_id)

    decided = await _decide(
        session,
        reviewId=review_id,
        employeeId=str(ada.employee_id),
        kind="NOMINATION",
        description="Successor for CFO",
        keyRoleCode="CFO",
        readiness="READY_1_2_YEARS",
        emergency=True,
    )

    assert decided["__typename"] == "ReviewDecisionPayload"
    nomination = await session.scalar(select(Nomination))
    assert nomination is not None
    assert decided["decision"] == {
        "kind": "NOMINATION",
        "readiness": "READY_1_2_YEARS",
        "keyRoleCode": "CFO",
        "nominationId": str(nomination.id),
        "designationId": None,
    }
    assert str(nomination.nominated_on) == "2026-10-01"  # the day the review was held
    slate = (await execute(session, SLATE, as_=HR_LEADER, variables={"code": "CFO"}))["keyRole"]
    assert slate["slate"] == [
        {
            "rank": 1,
            "readiness": "READY_1_2_YEARS",
            "notes": "Successor for CFO",
            "emergency": True,
            "employee": {"id": str(ada.employee_id)},
        }
    ]
    nominated = await outbox_events(session, SuccessorNominated.event_type)
    assert [e.employee_id for e in nominated] == [ada.employee_id]  # type: ignore[attr-defined]
    actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.at))).all()
    assert "successor.nominated" in actions and "talent_review.decided" in actions
    decided_entry = await session.scalar(
        select(AuditEntry).where(AuditEntry.action == "talent_review.decided")
    )
    assert decided_entry is not None and decided_entry.actor == "hr-leader"
    assert decided_entry.after is not None
    assert decided_entry.after["nomination_id"] == str(nomination.id)


async def test_a_readiness_change_decision_reassesses_the_open_nomination(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E2")
    await make_key_role(session, code="CFO")
    review_id = await _review(session, ada.employee_id)
    await _decide(
        session,
        reviewId=review_id,
        employeeId=str(ada.employee_id),
        kind="NOMINATION",
        description="On the CFO slate",
        keyRoleCode="CFO",
        readiness="READY_3_PLUS_YEARS",
        effectiveOn="2026-09-01",
    )

    changed = await _decide(
        session,
        reviewId=review_id,
        employeeId=str(ada.employee_id),
        kind="READINESS_CHANGE",
        description="Ready now after the interim assignment",
        keyRoleCode="CFO",
        readiness="READY_NOW",
    )

    nomination = await session.scalar(select(Nomination))
    assert nomination is not None and nomination.readiness == "ready_now"
    assert str(nomination.readiness_assessed_on) == "2026-10-01"
    assert changed["decision"]["nominationId"] == str(nomination.id)
    assert await _count(session, ReadinessAssessment) == 2
    assessed = await outbox_events(session, ReadinessAssessed.event_type)
    assert [e.readiness for e in assessed] == ["ready_3_plus_years", "ready_now"]  # type: ignore[attr-defined]
    actions = set((await session.scalars(select(AuditEntry.action))).all())
    assert {"readiness.assessed", "successor.nominated", "talent_review.decided"} <= actions


async def test_a_designation_decision_designates_high_potential(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E2")
    review_id = await _review(session, ada.employee_id)

    decided = await _decide(
        session,
        reviewId=review_id,
        employeeId=str(ada.employee_id),
        kind="DESIGNATION",
        description="Consistently outstanding, broad scope",
        reviewBy="2027-04-01",
    )

    designation = await session.scalar(select(HighPotentialDesignation))
    assert designation is not None
    assert decided["decision"]["designationId"] == str(designation.id)
    assert designation.reason == "Consistently outstanding, broad scope"
    assert str(designation.designated_on) == "2026-10-01"
    assert str(designation.review_date) == "2027-04-01"
    events = await outbox_events(session, HighPotentialDesignated.event_type)
    assert [e.employee_id for e in events] == [ada.employee_id]  # type: ignore[attr-defined]
    actions = set((await session.scalars(select(AuditEntry.action))).all())
    assert {"high_potential.designated", "talent_review.decided"} <= actions

    again = await _decide(
        session,
        reviewId=review_id,
        employeeId=str(ada.employee_id),
        kind="DESIGNATION",
        description="Again",
    )
    assert again == {
        "__typename": "Conflict",
        "message": "the employee is already designated high potential",
    }
    assert await _count(session, ReviewDecision) == 1


async def test_an_invalid_action_records_nothing_and_names_the_decisions_fields(
    session: AsyncSession,
) -> None:
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E2")
    await make_key_role(session, code="CFO", incumbent=boss)
    review_id = await _review(session, ada.employee_id, boss.employee_id)
    events_before = await outbox_count(session)
    base = {"reviewId": review_id, "description": "x"}

    incumbent = await _decide(
        session,
        **base,
        employeeId=str(boss.employee_id),
        kind="NOMINATION",
        keyRoleCode="CFO",
        readiness="READY_NOW",
        effectiveOn="2099-01-01",
    )
    missing = await _decide(session, **base, employeeId=str(ada.employee_id), kind="NOMINATION")
    unknown_role = await _decide(
        session,
        **base,
        employeeId=str(ada.employee_id),
        kind="READINESS_CHANGE",
        keyRoleCode="NOPE",
        readiness="READY_NOW",
    )
    not_on_slate = await _decide(
        session,
        **base,
        employeeId=str(ada.employee_id),
        kind="READINESS_CHANGE",
        keyRoleCode="CFO",
        readiness="READY_NOW",
    )
    bad_review_by = await _decide(
        session,
        **base,
        employeeId=str(ada.employee_id),
        kind="DESIGNATION",
        reviewBy="2026-09-01",
    )
    note_with_readiness = await _decide(
        session, **base, employeeId=str(ada.employee_id), kind="OTHER", readiness="READY_NOW"
    )

    assert incumbent["fields"] == [
        {"field": "input.employeeId", "message": "the incumbent cannot succeed themself"},
        {"field": "input.effectiveOn", "message": "2099-01-01 is in the future"},
    ]
    assert missing["fields"] == [
        {"field": "input.keyRoleCode", "message": "is required for a nomination decision"},
        {"field": "input.readiness", "message": "is required for a nomination decision"},
    ]
    assert unknown_role["fields"] == [{"field": "input.keyRoleCode", "message": "no key role NOPE"}]
    assert not_on_slate["fields"] == [
        {"field": "input.employeeId", "message": "is not on the slate of CFO"}
    ]
    assert bad_review_by["fields"] == [
        {"field": "input.reviewBy", "message": "must be after the designation date"}
    ]
    assert note_with_readiness["fields"] == [
        {
            "field": "input.readiness",
            "message": "applies to nomination and readiness_change only",
        }
    ]
    assert await _count(session, ReviewDecision) == 0
    assert await _count(session, Nomination) == 0
    assert await _count(session, HighPotentialDesignation) == 0
    assert await outbox_count(session) == events_before
    actions = set((await session.scalars(select(AuditEntry.action))).all())
    assert "talent_review.decided" not in actions


async def test_notes_change_nothing_and_only_confidential_roles_decide(
    session: AsyncSession,
) -> None:
    ada = await make_employee(session, number="E2")
    manager = await make_employee(session, number="E3")
    await make_key_role(session, code="CFO")
    review_id = await _review(session, ada.employee_id)
    events_before = await outbox_count(session)

    for kind in ("OTHER", "DEVELOPMENT"):
        noted = await _decide(
            session,
            reviewId=review_id,
            employeeId=str(ada.employee_id),
            kind=kind,
            description="Talk about the CFO role next year",
            keyRoleCode="CFO",
        )
        assert noted["decision"]["nominationId"] is None
        assert noted["decision"]["designationId"] is None
    assert await _count(session, ReviewDecision) == 2
    assert await _count(session, Nomination) == 0
    assert await _count(session, HighPotentialDesignation) == 0
    assert await outbox_count(session) == events_before

    data, _ = await run(
        session,
        DECIDE,
        as_=principal(manager, Role.MANAGER),
        variables={
            "input": {
                "reviewId": review_id,
                "employeeId": str(ada.employee_id),
                "kind": "NOMINATION",
                "description": "x",
                "keyRoleCode": "CFO",
                "readiness": "READY_NOW",
            }
        },
    )
    assert data is not None and data["recordReviewDecision"]["__typename"] == "Forbidden"
    assert await _count(session, Nomination) == 0
