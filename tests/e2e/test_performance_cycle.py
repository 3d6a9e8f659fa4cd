"""Acceptance of the performance service through the gateway: a cycle from launch to
release, a calibration that changes two ratings, what the employee sees before and after
release, and the events the recommender and succession consume."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from kafka import KafkaConsumer

from talent_contracts import parse_payload
from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_devtools.broker import TANSU_FAST_CONSUMER

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e

PHASES = [
    "GOAL_SETTING",
    "SELF_REVIEW",
    "PEER_FEEDBACK",
    "MANAGER_REVIEW",
    "CALIBRATION",
    "SIGN_OFF",
    "RELEASE",
]
PERSON = "query($id: ID!) { employee(id: $id) { id orgUnit { code } } }"
TEAM = "{ me { id directReports { id } } }"
CREATE = """mutation($input: CreateReviewCycleInput!) { createReviewCycle(input: $input) {
  __typename ... on ReviewCyclePayload { cycle { id } } ... on Error { message } } }"""
LAUNCH = """mutation($id: ID!) { launchReviewCycle(input: {cycleId: $id}) {
  __typename ... on LaunchReviewCyclePayload { population } ... on Error { message } } }"""
ADVANCE = """mutation($id: ID!, $phase: CyclePhase!) {
  advanceCyclePhase(input: {cycleId: $id, phase: $phase}) {
    __typename ... on ReviewCyclePayload { cycle { phase } } ... on Error { message } } }"""
RELEASE = """mutation($id: ID!) { releaseReviewCycle(input: {cycleId: $id}) {
  __typename ... on ReviewCyclePayload { cycle { releasedAt } } ... on Error { message } } }"""
REVIEWS = """query($cycle: ID!, $employee: ID!, $kind: ReviewKind) {
  reviews(cycleId: $cycle, employeeId: $employee, kind: $kind) {
    totalCount
    nodes { id kind status overallRating calibratedRating finalRating
            competencies { competencyCode rating } cycle { code } }
  }
}"""
REVIEW = "query($id: ID!) { review(id: $id) { id finalRating } }"
SAVE = """mutation($input: SaveReviewInput!) { saveReview(input: $input) {
  __typename ... on ReviewPayload { review { id } } ... on Error { message } } }"""
SUBMIT = """mutation($id: ID!) { submitReview(input: {reviewId: $id}) {
  __typename ... on ReviewPayload { review { status } } ... on Error { message } } }"""
SESSION = """mutation($input: CreateCalibrationSessionInput!) { createCalibrationSession(input: $input) {
  __typename ... on CalibrationSessionPayload { session { id } } ... on Error { message } } }"""
ADJUST = """mutation($input: AdjustRatingInput!) { adjustCalibratedRating(input: $input) {
  __typename ... on AdjustRatingPayload { employee { managerRating finalRating } }
  ... on Error { message } } }"""
CLOSE = """mutation($id: ID!) { closeCalibrationSession(input: {sessionId: $id}) {
  __typename ... on CalibrationSessionPayload { session { status } } ... on Error { message } } }"""
AUDIT = """query($employee: ID!) { performanceAuditLog(employeeId: $employee) {
  nodes { action old new reason actor } } }"""
BEHIND = """query($id: ID!, $phase: CyclePhase!) { whoIsBehind(cycleId: $id, phase: $phase) {
  reviews { totalCount nodes { employee { id } managerName escalationManagerName } } } }"""


def ok(result: dict[str, Any], field: str, typename: str) -> dict[str, Any]:
    payload: dict[str, Any] = result[field]
    assert payload["__typename"] == typename, payload
    return payload


def reviews(
    stack: Stack, token: str, cycle: str, employee: str, kind: str | None = None
) -> list[dict[str, Any]]:
    found = stack.query(token, REVIEWS, {"cycle": cycle, "employee": employee, "kind": kind})
    return found["reviews"]["nodes"]  # type: ignore[no-any-return]


def write_review(stack: Stack, token: str, review: dict[str, Any], rating: int) -> None:
    ok(
        stack.query(
            token,
            SAVE,
            {
                "input": {
                    "reviewId": review["id"],
                    "overallRating": rating,
                    "comment": "end to end",
                    "competencies": [
                        {"competencyCode": c["competencyCode"], "rating": rating}
                        for c in review["competencies"]
                    ],
                }
            },
        ),
        "saveReview",
        "ReviewPayload",
    )
    submitted = ok(
        stack.query(token, SUBMIT, {"id": review["id"]}), "submitReview", "ReviewPayload"
    )
    assert submitted["review"]["status"] == "SUBMITTED"


def test_a_cycle_from_launch_to_release_through_the_gateway(stack: Stack) -> None:
    people = stack.info["people"]
    hr = stack.tokens["hr_leader"]
    manager_id = people["manager"]["employee_id"]
    employee_id = people["employee"]["employee_id"]
    manager = stack.token_for(manager_id, "employee")
    employee = stack.token_for(employee_id, "employee")
    team = [r["id"] for r in stack.query(manager, TEAM)["me"]["directReports"]]
    colleague_id = next(r for r in team if r != employee_id)
    units = {
        stack.query(hr, PERSON, {"id": e})["employee"]["orgUnit"]["code"]
        for e in (employee_id, colleague_id)
    }
    code = f"E2E-{uuid.uuid4().hex[:6]}"
    start = dt.date.today()
    created = ok(
        stack.query(
            hr,
            CREATE,
            {
                "input": {
                    "code": code,
                    "name": "End-to-end annual review",
                    "kind": "ANNUAL",
                    "orgUnitCodes": sorted(units),
                    "deadlines": [
                        {"phase": p, "dueOn": str(start + dt.timedelta(weeks=i + 1))}
                        for i, p in enumerate(PHASES)
                    ],
                }
            },
        ),
        "createReviewCycle",
        "ReviewCyclePayload",
    )
    cycle = created["cycle"]["id"]
    launched = ok(
        stack.query(hr, LAUNCH, {"id": cycle}), "launchReviewCycle", "LaunchReviewCyclePayload"
    )
    assert launched["population"] >= 2

    def advance(phase: str) -> None:
        moved = ok(
            stack.query(hr, ADVANCE, {"id": cycle, "phase": phase}),
            "advanceCyclePhase",
            "ReviewCyclePayload",
        )
        assert moved["cycle"]["phase"] == phase

    advance("SELF_REVIEW")
    [own] = reviews(stack, employee, cycle, employee_id, "SELF")
    write_review(stack, employee, own, 4)
    advance("PEER_FEEDBACK")
    advance("MANAGER_REVIEW")
    behind = stack.query(hr, BEHIND, {"id": cycle, "phase": "MANAGER_REVIEW"})["whoIsBehind"]
    assert employee_id in {n["employee"]["id"] for n in behind["reviews"]["nodes"]}
    [theirs] = reviews(stack, manager, cycle, employee_id, "MANAGER")
    [colleagues] = reviews(stack, manager, cycle, colleague_id, "MANAGER")
    assert theirs["competencies"], "the job profile's competencies are rated"
    write_review(stack, manager, theirs, 3)
    write_review(stack, manager, colleagues, 3)

    advance("CALIBRATION")
    session = ok(
        stack.query(
            hr,
            SESSION,
            {
                "input": {
                    "cycleId": cycle,
                    "name": "Team calibration",
                    "employeeIds": [employee_id, colleague_id],
                    "facilitatorIds": [people["hr_leader"]["employee_id"]],
                    "participantIds": [manager_id],
                    "targetDistribution": [
                        {"rating": 3, "share": 0.6},
                        {"rating": 4, "share": 0.4},
                    ],
                }
            },
        ),
        "createCalibrationSession",
        "CalibrationSessionPayload",
    )["session"]["id"]
    up = ok(
        stack.query(
            hr,
            ADJUST,
            {
                "input": {
                    "sessionId": session,
                    "employeeId": employee_id,
                    "rating": 4,
                    "reason": "Led the migration",
                }
            },
        ),
        "adjustCalibratedRating",
        "AdjustRatingPayload",
    )
    down = ok(
        stack.query(
            hr,
            ADJUST,
            {
                "input": {
                    "sessionId": session,
                    "employeeId": colleague_id,
                    "rating": 2,
                    "reason": "Missed key goals",
                }
            },
        ),
        "adjustCalibratedRating",
        "AdjustRatingPayload",
    )
    assert (up["employee"]["finalRating"], down["employee"]["finalRating"]) == (4, 2)
    closed = ok(
        stack.query(hr, CLOSE, {"id": session}),
        "closeCalibrationSession",
        "CalibrationSessionPayload",
    )
    assert closed["session"]["status"] == "CLOSED"

    # Before release the employee sees their self review and nothing else.
    assert [r["kind"] for r in reviews(stack, employee, cycle, employee_id)] == ["SELF"]
    refused, errors = stack.partial(employee, REVIEW, {"id": theirs["id"]})
    assert refused["review"] is None and errors == [(["review"], "FORBIDDEN")]

    advance("SIGN_OFF")
    advance("RELEASE")
    ok(stack.query(hr, RELEASE, {"id": cycle}), "releaseReviewCycle", "ReviewCyclePayload")

    after = {r["kind"]: r for r in reviews(stack, employee, cycle, employee_id)}
    assert set(after) == {"SELF", "MANAGER"}
    assert (after["MANAGER"]["overallRating"], after["MANAGER"]["finalRating"]) == (3, 4)
    audit = stack.query(hr, AUDIT, {"employee": employee_id})["performanceAuditLog"]["nodes"]
    adjusted = [a for a in audit if a["action"] == "rating.calibrated"]
    assert [(a["old"], a["new"], a["reason"]) for a in adjusted] == [
        ('{"rating": 3}', '{"rating": 4}', "Led the migration")
    ]

    events = performance_events(
        stack,
        lambda seen: (
            sum(1 for t, p in seen if t == RatingCalibrated.event_type and p.cycle_code == code)
            >= 2
        ),
    )
    calibrated = {
        p.employee_id: p
        for t, p in events
        if t == RatingCalibrated.event_type and p.cycle_code == code
    }
    assert {str(e): (p.overall_rating, p.previous_rating) for e, p in calibrated.items()} == {
        employee_id: (4, 3),
        colleague_id: (2, 3),
    }
    assessed = [
        p
        for t, p in events
        if t == CompetencyAssessed.event_type
        and str(p.cycle_id) == cycle
        and str(p.employee_id) == employee_id
    ]
    assert {a.competency_code for a in assessed} == {
        c["competencyCode"] for c in theirs["competencies"]
    }
    assert {(a.level, a.source, str(a.assessor_id)) for a in assessed} == {
        (3, "manager", manager_id)
    }


def performance_events(stack: Stack, enough: Any) -> list[tuple[str, Any]]:
    """Read talent.performance.v1 from the start until `enough(seen)`; payloads parsed by
    their CloudEvents type."""
    consumer = KafkaConsumer(
        "talent.performance.v1",
        bootstrap_servers=stack.info["broker"],
        group_id=f"e2e-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **TANSU_FAST_CONSUMER,
    )
    seen: list[tuple[str, Any]] = []

    def poll() -> bool:
        for batch in consumer.poll(timeout_ms=500).values():
            for record in batch:
                # Read with the CloudEvents SDK's Kafka binary-mode binding, not our own.
                event = ce_kafka.from_binary_event(
                    ce_kafka.KafkaMessage(
                        headers=dict(record.headers), key=record.key, value=record.value
                    )
                )
                assert event.get_source() == "/talent/performance"
                payload = parse_payload(event.get_type(), record.value)
                assert record.key == payload.key().encode()
                seen.append((event.get_type(), payload))
        return bool(enough(seen))

    try:
        wait_until(poll, timeout=90)
    finally:
        consumer.close()
    return seen
