"""Writing, submitting, reopening and signing off reviews; who reads what."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.performance import (
    CompetencyAssessed,
    ReviewAssigned,
    ReviewSignedOff,
    ReviewSubmitted,
)
from talent_performance.audit.models import AuditEntry
from talent_performance.cycles.service import CycleService
from talent_performance.people.models import EmployeeProjection
from talent_performance.reviews.models import Review
from talent_platform.auth import Principal

from ..factories import (
    HR,
    count,
    execute,
    fields_of,
    make_cycle,
    make_employee,
    make_job_profile,
    move_to,
    principal,
    published,
    review_of,
)

SAVE = """
mutation($input: SaveReviewInput!) {
  saveReview(input: $input) {
    __typename
    ... on ReviewPayload { review { status overallRating competencies { competencyCode rating } } }
    ... on ValidationError { fields { field message } }
    ... on Conflict { message }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}
"""
SUBMIT = """
mutation($input: ReviewIdInput!) {
  submitReview(input: $input) {
    __typename
    ... on ReviewPayload { review { status submittedAt } }
    ... on ValidationError { fields { field message } }
    ... on Conflict { message }
  }
}
"""
REOPEN = """
mutation($input: ReopenReviewInput!) {
  reopenReview(input: $input) {
    __typename
    ... on ReviewPayload { review { status } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}
"""
SIGN_OFF = """
mutation($input: ReviewIdInput!) {
  signOffReview(input: $input) {
    __typename
    ... on ReviewPayload { review { status signedOffAt } }
    ... on Conflict { message }
  }
}
"""
REVIEWS = """
query($employeeId: ID) {
  reviews(employeeId: $employeeId, first: 50) {
    totalCount
    nodes { kind overallRating finalRating reviewer { id } employee { id } }
  }
}
"""
REQUEST_PEER = """
mutation($input: RequestPeerReviewInput!) {
  requestPeerReview(input: $input) {
    __typename
    ... on PeerRequestPayload { request { id status reviewId } }
    ... on ValidationError { fields { field message } }
  }
}
"""
DECIDE_PEER = """
mutation($input: DecidePeerRequestInput!) {
  decidePeerRequest(input: $input) {
    __typename
    ... on PeerRequestPayload { request { status reviewId } }
    ... on Forbidden { message }
  }
}
"""


async def save(
    session: AsyncSession, as_: Principal, review: Review, **values: Any
) -> dict[str, Any]:
    data = await execute(
        session, SAVE, as_=as_, variables={"input": {"reviewId": str(review.id), **values}}
    )
    result: dict[str, Any] = data["saveReview"]
    return result


async def submit(session: AsyncSession, as_: Principal, review: Review) -> dict[str, Any]:
    data = await execute(
        session, SUBMIT, as_=as_, variables={"input": {"reviewId": str(review.id)}}
    )
    result: dict[str, Any] = data["submitReview"]
    return result


async def team(session: AsyncSession) -> tuple[EmployeeProjection, EmployeeProjection]:
    await make_job_profile(session, "analyst", {"excel": 4, "sql": 3})
    boss = await make_employee(session, number="E1")
    ada = await make_employee(session, number="E100", manager=boss)
    return boss, ada


async def visible_kinds(
    session: AsyncSession, as_: Principal, employee: EmployeeProjection
) -> set[str]:
    data = await execute(
        session, REVIEWS, as_=as_, variables={"employeeId": str(employee.employee_id)}
    )
    return {n["kind"] for n in data["reviews"]["nodes"]}


async def test_a_self_review_is_written_submitted_and_published(session: AsyncSession) -> None:
    _, ada = await team(session)
    cycle = await make_cycle(session, phase="self_review")
    mine = await review_of(session, cycle, ada, "self")

    saved = await save(
        session,
        principal(ada),
        mine,
        overallRating=4,
        comment="A good year",
        competencies=[{"competencyCode": "excel", "rating": 5}],
    )
    submitted = await submit(session, principal(ada), mine)

    assert saved["review"]["competencies"] == [
        {"competencyCode": "excel", "rating": 5},
        {"competencyCode": "sql", "rating": None},
    ]
    assert submitted["review"]["status"] == "SUBMITTED"
    [event] = await published(session, ReviewSubmitted)
    assert (event.kind, event.overall_rating, event.cycle_code) == ("self", 4, cycle.code)
    assert await published(session, CompetencyAssessed) == []  # only manager reviews assess
    again = await save(session, principal(ada), mine, overallRating=2)
    assert again["__typename"] == "Conflict"  # no edits once submitted


async def test_no_manager_review_before_the_manager_review_phase(session: AsyncSession) -> None:
    boss, ada = await team(session)
    cycle = await make_cycle(session, phase="self_review")
    theirs = await review_of(session, cycle, ada, "manager")

    early = await save(session, principal(boss), theirs, overallRating=3)

    assert early["__typename"] == "Conflict"
    assert "from manager_review" in early["message"]


async def test_ratings_are_validated_against_the_scale(session: AsyncSession) -> None:
    boss, ada = await team(session)
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")

    result = await save(
        session,
        principal(boss),
        theirs,
        overallRating=6,
        competencies=[
            {"competencyCode": "excel", "rating": 0},
            {"competencyCode": "x", "rating": 3},
        ],
    )

    assert fields_of(result) == {
        "input.overallRating": "6 is outside the scale 1-5",
        "input.competencies[0].rating": "0 is outside the scale 1-5",
        "input.competencies[1].competencyCode": "x is not rated in this review",
    }
    missing = await submit(session, principal(boss), theirs)
    assert "input.reviewId" in fields_of(missing)


async def test_only_the_reviewer_writes_a_review(session: AsyncSession) -> None:
    _, ada = await team(session)
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")

    by_employee = await save(session, principal(ada), theirs, overallRating=5)
    by_hr = await save(session, HR, theirs, overallRating=5)

    assert by_employee["__typename"] == "NotFound"  # hidden from them before release
    assert by_hr["__typename"] == "Forbidden"


async def test_a_manager_review_publishes_assessments_per_rated_competency(
    session: AsyncSession,
) -> None:
    boss, ada = await team(session)
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")

    await save(
        session,
        principal(boss),
        theirs,
        overallRating=3,
        competencies=[{"competencyCode": "excel", "rating": 4}],
    )
    result = await submit(session, principal(boss), theirs)

    assert result["review"]["status"] == "SUBMITTED"
    [submitted] = await published(session, ReviewSubmitted)
    assert (submitted.kind, submitted.overall_rating, submitted.reviewer_id) == (
        "manager",
        3,
        boss.employee_id,
    )
    [assessed] = await published(session, CompetencyAssessed)
    assert (assessed.competency_code, assessed.level, assessed.source) == ("excel", 4, "manager")
    assert (assessed.employee_id, assessed.assessor_id, assessed.cycle_id) == (
        ada.employee_id,
        boss.employee_id,
        cycle.id,
    )


async def test_hr_reopens_with_a_reason_and_a_changed_rating_is_audited(
    session: AsyncSession,
) -> None:
    boss, ada = await team(session)
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")
    await save(session, principal(boss), theirs, overallRating=2)
    await submit(session, principal(boss), theirs)

    no_reason = await execute(
        session, REOPEN, as_=HR, variables={"input": {"reviewId": str(theirs.id), "reason": " "}}
    )
    by_manager = await execute(
        session,
        REOPEN,
        as_=principal(boss),
        variables={"input": {"reviewId": str(theirs.id), "reason": "typo"}},
    )
    reopened = await execute(
        session,
        REOPEN,
        as_=HR,
        variables={"input": {"reviewId": str(theirs.id), "reason": "rating typo"}},
    )
    await save(session, principal(boss), theirs, overallRating=4)
    await submit(session, principal(boss), theirs)

    assert fields_of(no_reason["reopenReview"]) == {"input.reason": "a reason is required"}
    assert by_manager["reopenReview"]["__typename"] == "Forbidden"
    assert reopened["reopenReview"]["review"]["status"] == "DRAFT"
    entries = {e.action: e for e in (await session.scalars(select(AuditEntry))).all()}
    assert entries["review.reopened"].reason == "rating typo"
    assert entries["review.reopened"].actor == HR.subject
    assert (entries["review.resubmitted"].old, entries["review.resubmitted"].new) == (
        {"overall_rating": 2},
        {"overall_rating": 4},
    )
    reopens = [a for a in await published(session, ReviewAssigned) if a.reason == "reopened"]
    [again] = reopens  # the review is its reviewer's again
    assert (again.review_id, again.reviewer_id, again.reason) == (
        theirs.id,
        boss.employee_id,
        "reopened",
    )


async def test_sign_off_locks_the_manager_review(session: AsyncSession) -> None:
    boss, ada = await team(session)
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")
    await save(session, principal(boss), theirs, overallRating=3)
    await submit(session, principal(boss), theirs)
    too_early = await execute(
        session, SIGN_OFF, as_=principal(boss), variables={"input": {"reviewId": str(theirs.id)}}
    )
    await move_to(session, cycle, "sign_off")

    signed = await execute(
        session, SIGN_OFF, as_=principal(boss), variables={"input": {"reviewId": str(theirs.id)}}
    )
    reopen = await execute(
        session,
        REOPEN,
        as_=HR,
        variables={"input": {"reviewId": str(theirs.id), "reason": "late change"}},
    )

    assert too_early["signOffReview"]["__typename"] == "Conflict"
    assert signed["signOffReview"]["review"]["status"] == "SIGNED_OFF"
    [event] = await published(session, ReviewSignedOff)
    assert (event.review_id, event.reviewer_id) == (theirs.id, boss.employee_id)
    assert reopen["reopenReview"]["__typename"] == "Conflict"


async def test_the_employee_sees_only_their_self_review_until_release(
    session: AsyncSession,
) -> None:
    boss, ada = await team(session)
    stranger = await make_employee(session, number="E200")
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")
    await save(session, principal(boss), theirs, overallRating=4)
    await submit(session, principal(boss), theirs)

    before = await visible_kinds(session, principal(ada), ada)
    managers = await visible_kinds(session, principal(boss), ada)
    strangers = await visible_kinds(session, principal(stranger), ada)
    await move_to(session, cycle, "release")
    await CycleService(session, HR).release(cycle.id)
    after = await execute(
        session, REVIEWS, as_=principal(ada), variables={"employeeId": str(ada.employee_id)}
    )

    assert before == {"SELF"}
    assert managers == {"SELF", "MANAGER"}
    assert strangers == set()
    rated = {n["kind"]: n for n in after["reviews"]["nodes"]}
    assert rated["MANAGER"]["finalRating"] == 4


async def test_peers_are_approved_by_the_manager_and_anonymous_to_the_employee(
    session: AsyncSession,
) -> None:
    boss, ada = await team(session)
    peer = await make_employee(session, number="E300")
    cycle = await make_cycle(session, phase="self_review")

    requested = await execute(
        session,
        REQUEST_PEER,
        as_=principal(ada),
        variables={
            "input": {
                "cycleId": str(cycle.id),
                "employeeId": str(ada.employee_id),
                "reviewerId": str(peer.employee_id),
            }
        },
    )
    request = requested["requestPeerReview"]["request"]
    by_employee = await execute(
        session,
        DECIDE_PEER,
        as_=principal(ada),
        variables={"input": {"requestId": request["id"], "approve": True}},
    )
    approved = await execute(
        session,
        DECIDE_PEER,
        as_=principal(boss),
        variables={"input": {"requestId": request["id"], "approve": True}},
    )
    await move_to(session, cycle, "peer_feedback")
    peer_review = await session.get(
        Review, uuid.UUID(approved["decidePeerRequest"]["request"]["reviewId"])
    )
    assert peer_review is not None
    [asked] = [a for a in await published(session, ReviewAssigned) if a.kind == "peer"]
    assert (asked.review_id, asked.reviewer_id, asked.phase, asked.reason) == (
        peer_review.id,
        peer.employee_id,
        "peer_feedback",
        "peer_request",
    )
    await save(session, principal(peer), peer_review, overallRating=5)
    await submit(session, principal(peer), peer_review)
    await move_to(session, cycle, "release")
    await CycleService(session, HR).release(cycle.id)

    as_employee = await execute(
        session, REVIEWS, as_=principal(ada), variables={"employeeId": str(ada.employee_id)}
    )
    as_manager = await execute(
        session, REVIEWS, as_=principal(boss), variables={"employeeId": str(ada.employee_id)}
    )
    as_peer = await visible_kinds(session, principal(peer), ada)

    assert request["status"] == "PENDING"
    assert by_employee["decidePeerRequest"]["__typename"] == "Forbidden"
    assert approved["decidePeerRequest"]["request"]["status"] == "APPROVED"
    employee_view = {n["kind"]: n for n in as_employee["reviews"]["nodes"]}
    assert employee_view["PEER"]["reviewer"] is None
    assert employee_view["PEER"]["overallRating"] == 5
    manager_view = {n["kind"]: n for n in as_manager["reviews"]["nodes"]}
    assert manager_view["PEER"]["reviewer"] == {"id": str(peer.employee_id)}
    assert as_peer == {"PEER"}  # a peer reads only the review they write
    assert await count(session, Review, Review.kind == "peer") == 1


PEER_REQUESTS = """
query($cycle: ID!, $status: PeerRequestStatus) {
  peerRequests(cycleId: $cycle, status: $status) { totalCount nodes { status reviewer { id } } }
}
"""


async def test_managers_list_pending_peer_requests_and_employees_not_the_managers(
    session: AsyncSession,
) -> None:
    boss, ada = await team(session)
    peer = await make_employee(session, number="E300")
    other = await make_employee(session, number="E301")
    cycle = await make_cycle(session, phase="self_review")
    for as_, reviewer in ((principal(ada), peer), (principal(boss), other)):
        await execute(
            session,
            REQUEST_PEER,
            as_=as_,
            variables={
                "input": {
                    "cycleId": str(cycle.id),
                    "employeeId": str(ada.employee_id),
                    "reviewerId": str(reviewer.employee_id),
                }
            },
        )

    managers = await execute(
        session, PEER_REQUESTS, as_=principal(boss), variables={"cycle": str(cycle.id)}
    )
    employees = await execute(
        session, PEER_REQUESTS, as_=principal(ada), variables={"cycle": str(cycle.id)}
    )
    to_decide = await execute(
        session,
        PEER_REQUESTS,
        as_=principal(boss),
        variables={"cycle": str(cycle.id), "status": "PENDING"},
    )

    assert sorted(n["status"] for n in managers["peerRequests"]["nodes"]) == [
        "APPROVED",
        "PENDING",
    ]
    assert employees["peerRequests"]["nodes"] == [
        {"status": "PENDING", "reviewer": {"id": str(peer.employee_id)}}
    ]
    assert to_decide["peerRequests"]["nodes"] == employees["peerRequests"]["nodes"]


async def test_reading_someone_elses_ratings_is_audited(session: AsyncSession) -> None:
    boss, ada = await team(session)
    top = await make_employee(session, number="E0")
    boss.manager_id = top.employee_id
    cycle = await make_cycle(session, phase="manager_review")
    theirs = await review_of(session, cycle, ada, "manager")
    await save(session, principal(boss), theirs, overallRating=4)
    await submit(session, principal(boss), theirs)

    await visible_kinds(session, principal(boss), ada)  # wrote it: not audited
    await visible_kinds(session, principal(top), ada)  # the manager's manager: audited
    await visible_kinds(session, HR, ada)  # HR: audited

    reads = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ratings.read").order_by(AuditEntry.at)
        )
    ).all()
    assert [(r.actor, r.employee_id, r.new) for r in reads] == [
        (str(top.employee_id), ada.employee_id, {"reviews": [str(theirs.id)]}),
        (HR.subject, ada.employee_id, {"reviews": [str(theirs.id)]}),
    ]
