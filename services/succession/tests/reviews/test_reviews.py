"""Talent reviews: meetings, employees discussed, decisions, the talent profile."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Role
from talent_succession.audit.models import AuditEntry
from talent_succession.ratings.models import CalibratedRating

from ..factories import HR_LEADER, execute, make_employee, make_key_role, principal, refused, run

CREATE = """mutation ($input: CreateTalentReviewInput!) {
  createTalentReview(input: $input) {
    __typename ... on TalentReviewPayload { review { id } }
    ... on ValidationError { fields { field message } }
  }
}"""
DECIDE = """mutation ($input: RecordReviewDecisionInput!) {
  recordReviewDecision(input: $input) {
    __typename ... on ValidationError { fields { field message } }
  }
}"""
REVIEW = """query ($id: ID!) { talentReview(id: $id) {
  title heldOn participants { id }
  employeesDiscussed { id calibratedRatings { cycleCode overallRating } potential { potential } }
  decisions { kind description keyRoleCode employee { id } }
} }"""


async def test_a_review_records_decisions_and_shows_talent_profiles(
    session: AsyncSession,
) -> None:
    chair = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E2")
    bob = await make_employee(session, number="E3")
    await make_key_role(session, code="CFO", incumbent=chair)
    session.add(
        CalibratedRating(
            employee_id=ada.employee_id,
            cycle_code="FY25",
            overall_rating=4,
            rated_on=dt.date(2026, 2, 1),
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    await session.flush()

    created = await execute(
        session,
        CREATE,
        as_=HR_LEADER,
        variables={
            "input": {
                "title": "Finance talent review",
                "heldOn": "2026-10-01",
                "participantIds": [str(chair.employee_id)],
                "employeeIds": [str(ada.employee_id)],
            }
        },
    )
    review_id = created["createTalentReview"]["review"]["id"]
    decided = await execute(
        session,
        DECIDE,
        as_=HR_LEADER,
        variables={
            "input": {
                "reviewId": review_id,
                "employeeId": str(ada.employee_id),
                "kind": "NOMINATION",
                "description": "Nominate for CFO, ready in 1-2 years",
                "keyRoleCode": "CFO",
                "readiness": "READY_1_2_YEARS",
            }
        },
    )
    not_discussed = await execute(
        session,
        DECIDE,
        as_=HR_LEADER,
        variables={
            "input": {
                "reviewId": review_id,
                "employeeId": str(bob.employee_id),
                "kind": "OTHER",
                "description": "x",
            }
        },
    )

    assert decided["recordReviewDecision"]["__typename"] == "ReviewDecisionPayload"
    assert not_discussed["recordReviewDecision"]["fields"] == [
        {"field": "input.employeeId", "message": "was not discussed in this review"}
    ]
    review = (await execute(session, REVIEW, as_=HR_LEADER, variables={"id": review_id}))[
        "talentReview"
    ]
    assert review["participants"] == [{"id": str(chair.employee_id)}]
    assert review["employeesDiscussed"] == [
        {
            "id": str(ada.employee_id),
            "calibratedRatings": [{"cycleCode": "FY25", "overallRating": 4}],
            "potential": None,
        }
    ]
    assert review["decisions"] == [
        {
            "kind": "NOMINATION",
            "description": "Nominate for CFO, ready in 1-2 years",
            "keyRoleCode": "CFO",
            "employee": {"id": str(ada.employee_id)},
        }
    ]
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert {"talent_review.created", "talent_review.decided", "talent_review.read"} <= set(actions)

    data, errors = await run(
        session, REVIEW, as_=principal(chair, Role.MANAGER), variables={"id": review_id}
    )
    assert refused(data) and "hr_leader and admin only" in errors[0].message
