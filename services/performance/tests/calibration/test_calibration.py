"""Calibration sessions: distribution, audited adjustments, rating.calibrated on close."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import RatingCalibrated
from talent_performance.audit.models import AuditEntry
from talent_performance.cycles.models import ReviewCycle
from talent_performance.cycles.population import insert_reviews
from talent_performance.people.models import EmployeeProjection
from talent_performance.reviews.service import ReviewDraft, ReviewService
from talent_platform.auth import Principal

from ..factories import (
    HR,
    execute,
    fields_of,
    make_cycle,
    make_employee,
    move_to,
    principal,
    published,
    refused,
    review_of,
)

CREATE = """
mutation($input: CreateCalibrationSessionInput!) {
  createCalibrationSession(input: $input) {
    __typename
    ... on CalibrationSessionPayload { session { id status } }
    ... on ValidationError { fields { field message } }
  }
}
"""
ADJUST = """
mutation($input: AdjustRatingInput!) {
  adjustCalibratedRating(input: $input) {
    __typename
    ... on AdjustRatingPayload { employee { managerRating calibratedRating finalRating reason } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
    ... on Conflict { message }
  }
}
"""
CLOSE = """
mutation($input: SessionIdInput!) {
  closeCalibrationSession(input: $input) {
    __typename
    ... on CalibrationSessionPayload { session { status closedAt } }
    ... on Conflict { message }
  }
}
"""
SESSION = """
query($id: ID!) {
  calibrationSession(id: $id) {
    name
    members { role employee { id } }
    distribution { before { rating count } after { rating count } target { rating share } }
    employees { employee { id } managerRating finalRating }
  }
}
"""


async def rated_team(
    session: AsyncSession, ratings: list[int]
) -> tuple[ReviewCycle, EmployeeProjection, list[EmployeeProjection]]:
    """A manager whose reports got these manager ratings, the cycle in calibration."""
    boss = await make_employee(session, number="E1")
    reports = [
        await make_employee(session, number=f"E{100 + i}", manager=boss)
        for i in range(len(ratings))
    ]
    cycle = await make_cycle(session, phase="manager_review")
    service = ReviewService(session, principal(boss))
    for employee, rating in zip(reports, ratings, strict=True):
        review = await review_of(session, cycle, employee, "manager")
        await service.save(review.id, ReviewDraft(overall_rating=rating))
        await service.submit(review.id)
    await move_to(session, cycle, "calibration")
    return cycle, boss, reports


async def open_session(
    session: AsyncSession,
    cycle: ReviewCycle,
    employees: list[EmployeeProjection],
    facilitator: EmployeeProjection,
    **extra: Any,
) -> str:
    data = await execute(
        session,
        CREATE,
        as_=HR,
        variables={
            "input": {
                "cycleId": str(cycle.id),
                "name": "Finance calibration",
                "employeeIds": [str(e.employee_id) for e in employees],
                "facilitatorIds": [str(facilitator.employee_id)],
                **extra,
            }
        },
    )
    session_id: str = data["createCalibrationSession"]["session"]["id"]
    return session_id


async def adjust(
    session: AsyncSession,
    as_: Principal,
    session_id: str,
    employee: EmployeeProjection,
    rating: int,
    reason: str,
) -> dict[str, Any]:
    data = await execute(
        session,
        ADJUST,
        as_=as_,
        variables={
            "input": {
                "sessionId": session_id,
                "employeeId": str(employee.employee_id),
                "rating": rating,
                "reason": reason,
            }
        },
    )
    result: dict[str, Any] = data["adjustCalibratedRating"]
    return result


async def test_a_calibration_adjusts_two_ratings_and_publishes_all(session: AsyncSession) -> None:
    cycle, boss, (ada, bob, cy) = await rated_team(session, [3, 5, 2])
    facilitator = await make_employee(session, number="E900")
    session_id = await open_session(
        session,
        cycle,
        [ada, bob, cy],
        facilitator,
        participantIds=[str(boss.employee_id)],
        targetDistribution=[{"rating": 3, "share": 0.7}, {"rating": 4, "share": 0.3}],
    )

    down = await adjust(
        session, principal(facilitator), session_id, bob, 4, "Peer group is stronger"
    )
    up = await adjust(session, principal(facilitator), session_id, cy, 3, "Recovered in Q4")
    closed = await execute(
        session, CLOSE, as_=principal(facilitator), variables={"input": {"sessionId": session_id}}
    )

    assert down["employee"] == {
        "managerRating": 5,
        "calibratedRating": 4,
        "finalRating": 4,
        "reason": "Peer group is stronger",
    }
    assert up["employee"]["finalRating"] == 3
    assert closed["closeCalibrationSession"]["session"]["status"] == "CLOSED"
    events = {e.employee_id: e for e in await published(session, RatingCalibrated)}
    assert {e: (v.overall_rating, v.previous_rating) for e, v in events.items()} == {
        ada.employee_id: (3, 3),
        bob.employee_id: (4, 5),
        cy.employee_id: (3, 2),
    }
    assert {e.cycle_code for e in events.values()} == {cycle.code}
    audit = (await session.scalars(select(AuditEntry).order_by(AuditEntry.at))).all()
    assert [(a.employee_id, a.old, a.new, a.reason, a.actor) for a in audit] == [
        (
            bob.employee_id,
            {"rating": 5},
            {"rating": 4},
            "Peer group is stronger",
            str(facilitator.employee_id),
        ),
        (
            cy.employee_id,
            {"rating": 2},
            {"rating": 3},
            "Recovered in Q4",
            str(facilitator.employee_id),
        ),
    ]
    view = await execute(session, SESSION, as_=principal(boss), variables={"id": session_id})
    distribution = view["calibrationSession"]["distribution"]
    assert [d["count"] for d in distribution["before"]] == [0, 1, 1, 0, 1]
    assert [d["count"] for d in distribution["after"]] == [0, 0, 2, 1, 0]
    assert distribution["target"] == [{"rating": 3, "share": 0.7}, {"rating": 4, "share": 0.3}]


async def test_adjustments_need_a_reason_a_facilitator_and_the_scale(session: AsyncSession) -> None:
    cycle, boss, (ada,) = await rated_team(session, [3])
    facilitator = await make_employee(session, number="E900")
    session_id = await open_session(
        session, cycle, [ada], facilitator, participantIds=[str(boss.employee_id)]
    )

    invalid = await adjust(session, principal(facilitator), session_id, ada, 7, "  ")
    by_participant = await adjust(session, principal(boss), session_id, ada, 4, "I think so")

    assert fields_of(invalid) == {
        "input.rating": "7 is outside the scale 1-5",
        "input.reason": "a reason is required for every adjustment",
    }
    assert by_participant["__typename"] == "Forbidden"


async def test_only_members_and_hr_see_a_session(session: AsyncSession) -> None:
    cycle, _, (ada,) = await rated_team(session, [3])
    facilitator = await make_employee(session, number="E900")
    session_id = await open_session(session, cycle, [ada], facilitator)
    facilitator_id = str(facilitator.employee_id)  # a refused read rolls back: objects expire

    as_employee, errors = await refused(
        session, SESSION, as_=principal(ada), variables={"id": session_id}
    )
    as_hr = await execute(session, SESSION, as_=HR, variables={"id": session_id})

    assert as_employee["calibrationSession"] is None
    assert errors == [(("calibrationSession",), "FORBIDDEN")]
    assert as_hr["calibrationSession"]["members"] == [
        {"role": "FACILITATOR", "employee": {"id": facilitator_id}}
    ]


async def test_a_session_cannot_close_with_unsubmitted_manager_reviews(
    session: AsyncSession,
) -> None:
    cycle, boss, (ada,) = await rated_team(session, [3])
    late = await make_employee(session, number="E150", manager=boss)
    # a late joiner's reviews, as the people-event consumer creates them in a running cycle
    await session.execute(insert_reviews(cycle, only=[late.employee_id]))
    session_id = await open_session(session, cycle, [ada, late], boss)

    closed = await execute(session, CLOSE, as_=HR, variables={"input": {"sessionId": session_id}})

    assert closed["closeCalibrationSession"]["__typename"] == "Conflict"
    assert await published(session, RatingCalibrated) == []
