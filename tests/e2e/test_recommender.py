"""Acceptance for the recommender through the gateway: evidence arriving as events changes
an employee's gaps and recommendations; a dismissed course stays away; a recommendation a
manager accepts through learning leaves the list and is recorded as accepted."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaProducer

from talent_contracts import service_topic
from talent_contracts.performance import CompetencyAssessed
from talent_devtools.testing import wait_for
from talent_platform.events import Envelope, encode

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e

VIEW = """query($id: ID!) { employee(id: $id) {
  id
  skillGaps { targetTitle gaps { competencyCode competencyName requiredLevel estimate gap basis } }
  recommendedCourses(first: 10) { course { code title } score reasons competencyCodes }
} }"""
ME = "{ me { id manager { id } } }"
RECORD = """mutation($input: RecordCompletionInput!) {
  recordCompletion(input: $input) { __typename ... on ValidationError { fields { field message } } }
}"""
DISMISS = """mutation($input: DismissRecommendationInput!) {
  dismissRecommendation(input: $input) { __typename ... on DismissRecommendationPayload { dismissal { course { code } } } }
}"""


def view(stack: Stack, token: str, employee_id: str) -> dict[str, Any]:
    """The employee's recommender fields; a field the caller may not read is null with a
    FORBIDDEN error at its path, and all are null when people does not show the employee."""
    data, errors = stack.partial(token, VIEW, {"id": employee_id})
    found: dict[str, Any] | None = data["employee"]
    for path, code in errors:
        assert code == "FORBIDDEN" and path[:1] == ["employee"], errors
        assert found is not None and found[str(path[-1])] is None, (path, found)
    return found or {"skillGaps": None, "recommendedCourses": None}


def gaps(v: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["competencyCode"]: g for g in (v["skillGaps"] or {"gaps": []})["gaps"]}


def course_codes(v: dict[str, Any]) -> list[str]:
    return [r["course"]["code"] for r in v["recommendedCourses"] or []]


def publish_assessments(
    stack: Stack,
    employee_id: str,
    levels: dict[str, int],
    sources: tuple[str, ...] = ("assessment",),
) -> None:
    """What the performance service will publish when a review rates competencies."""
    producer = KafkaProducer(bootstrap_servers=stack.info["broker"], enable_idempotence=False)
    try:
        for (code, level), source in itertools.product(levels.items(), sources):
            payload = CompetencyAssessed(
                assessment_id=uuid.uuid4(),
                employee_id=uuid.UUID(employee_id),
                competency_code=code,
                level=level,
                source=source,
                assessed_on=dt.date.today(),
                assessor_id=None,
                cycle_id=None,
            )
            encoded = encode(Envelope.for_payload(payload, service="performance"))
            producer.send(
                service_topic("performance"),
                key=encoded.key,
                value=encoded.value,
                headers=encoded.headers,
            ).get(timeout=10)
    finally:
        producer.close()


def test_evidence_moves_gaps_and_recommendations_and_dismissals_stick(stack: Stack) -> None:
    token = stack.tokens["employee"]
    admin = stack.tokens["admin"]
    me = stack.query(token, ME)["me"]
    employee_id = me["id"]
    # The recommender has projected the seeded organisation: the employee has gaps listed.
    wait_until(lambda: view(stack, token, employee_id)["skillGaps"] is not None)
    required = {
        c: g for c, g in gaps(view(stack, token, employee_id)).items() if g["requiredLevel"] >= 2
    }
    weak = sorted(required)[:2]
    assert weak, "the demo job profile requires competencies at level 2 or more"

    # A formal assessment and the manager rate two required competencies at 1 (both, so
    # that ratings earlier tests gave today do not outweigh them): gaps open, courses follow.
    publish_assessments(stack, employee_id, dict.fromkeys(weak, 1), ("assessment", "manager"))

    def gap_opened() -> bool:
        v = view(stack, token, employee_id)
        return all(gaps(v)[c]["estimate"] < required[c]["requiredLevel"] for c in weak) and any(
            set(r["competencyCodes"]) & set(weak) for r in v["recommendedCourses"]
        )

    if not wait_for(gap_opened, timeout=60, interval=0.2):
        pytest.fail(f"no gap or course for {weak}: {view(stack, token, employee_id)}")
    before = view(stack, token, employee_id)
    target = weak[0]
    course = next(r for r in before["recommendedCourses"] if target in r["competencyCodes"])
    assert course["course"]["title"]  # resolved by learning through the gateway
    assert any(
        reason.startswith("gap of ") and before["skillGaps"]["targetTitle"] in reason
        for reason in course["reasons"]
    )

    # The employee completes that course (learning) and is assessed at the required level.
    result = stack.query(
        admin,
        RECORD,
        {
            "input": {
                "employeeId": employee_id,
                "courseCode": course["course"]["code"],
                "completedOn": dt.date.today().isoformat(),
                "score": 100,
            }
        },
    )["recordCompletion"]
    assert result["__typename"] == "RecordCompletionPayload", result
    publish_assessments(stack, employee_id, {target: required[target]["requiredLevel"]})

    def moved() -> bool:
        v = view(stack, token, employee_id)
        return gaps(v)[target]["gap"] < gaps(before)[target]["gap"] and course["course"][
            "code"
        ] not in course_codes(v)

    if not wait_for(moved, timeout=60, interval=0.2):
        pytest.fail(f"{target} gap or {course} unchanged: {view(stack, token, employee_id)}")
    after = view(stack, token, employee_id)
    assert course_codes(after) != course_codes(before)

    # Dismissing a recommendation removes it, also after further evidence arrives.
    dismissed = course_codes(after)[0]
    outcome = stack.query(
        token,
        DISMISS,
        {"input": {"employeeId": employee_id, "courseCode": dismissed, "reason": "not for me"}},
    )["dismissRecommendation"]
    assert outcome["__typename"] == "DismissRecommendationPayload", outcome
    assert dismissed not in course_codes(view(stack, token, employee_id))
    status_before = stack.query(admin, "{ recommenderStatus { eventsProcessed } }")
    publish_assessments(stack, employee_id, {weak[-1]: 1})
    wait_until(
        lambda: stack.query(admin, "{ recommenderStatus { eventsProcessed } }") != status_before,
        timeout=60,
    )
    assert dismissed not in course_codes(view(stack, token, employee_id))

    # Their manager sees the same recommendations; an unrelated employee sees none.
    if me["manager"]:
        manager_token = stack.token_for(me["manager"]["id"], "employee")
        assert view(stack, manager_token, employee_id)["recommendedCourses"] is not None
    stranger = stack.token_for(str(uuid.uuid4()), "employee")
    assert view(stack, stranger, employee_id)["recommendedCourses"] is None


TEAM = """query { me { id directReports { id status } } }"""
RECOMMENDED = """query($id: ID!) { employee(id: $id) {
  recommendedCourses(first: 10) { id course { code } competencyCodes }
  recommendationHistory(first: 100) { id course { code } accepted acceptedAt acceptedVia }
} }"""
ASSIGN = """mutation($input: AssignLearningInput!) {
  assignLearning(input: $input) {
    __typename
    ... on AssignLearningPayload { assignedCount enrollments { id } }
    ... on ValidationError { fields { field message } }
    ... on Forbidden { message }
  }
}"""


def test_a_manager_accepts_a_recommended_course_through_learning(stack: Stack) -> None:
    manager = stack.tokens["manager"]
    team = stack.query(manager, TEAM)["me"]
    report = next(r["id"] for r in team["directReports"] if r["status"] == "ACTIVE")
    wait_until(lambda: view(stack, manager, report)["skillGaps"] is not None)
    required = sorted(
        c for c, g in gaps(view(stack, manager, report)).items() if g["requiredLevel"] >= 2
    )
    assert required, "the demo job profile requires competencies at level 2 or more"
    # Rated 1 on required competencies: gaps open and courses are recommended for them.
    publish_assessments(stack, report, dict.fromkeys(required[:2], 1), ("assessment", "manager"))

    def recommended() -> dict[str, Any]:
        found: dict[str, Any] = stack.query(manager, RECOMMENDED, {"id": report})["employee"]
        return found

    wait_until(
        lambda: any(
            set(r["competencyCodes"]) & set(required[:2])
            for r in recommended()["recommendedCourses"]
        )
    )
    before = recommended()
    chosen = next(
        r for r in before["recommendedCourses"] if set(r["competencyCodes"]) & set(required[:2])
    )
    # The same recommendation keeps its id, and the recommender recorded it as issued.
    assert chosen["id"] in {r["id"] for r in recommended()["recommendedCourses"]}
    issued = {h["id"]: h for h in before["recommendationHistory"]}
    assert issued[chosen["id"]]["accepted"] is False

    # The manager accepts it: learning assigns the course, carrying the recommendation id.
    result = stack.query(
        manager,
        ASSIGN,
        {
            "input": {
                "reason": "RECOMMENDATION",
                "courseCode": chosen["course"]["code"],
                "employeeIds": [report],
                "recommendationId": chosen["id"],
            }
        },
    )["assignLearning"]
    assert result["__typename"] == "AssignLearningPayload" and result["assignedCount"] == 1, result

    def accepted() -> bool:
        now = recommended()
        history = {h["id"]: h for h in now["recommendationHistory"]}
        return chosen["course"]["code"] not in {
            r["course"]["code"] for r in now["recommendedCourses"]
        } and bool(history.get(chosen["id"], {}).get("accepted"))

    wait_until(accepted, timeout=30)
    record = {h["id"]: h for h in recommended()["recommendationHistory"]}[chosen["id"]]
    assert record["acceptedVia"] == "ENROLLMENT" and record["acceptedAt"]


FRESHNESS = "{ recommenderStatus { caughtUp pendingEvents lagSeconds modelVersion } }"
ACTIVE_NUMBERS = "{ employees(first: 100, filter: {status: ACTIVE}) { nodes { employeeNumber } } }"
COMPETENCY_CODES = "{ competencies(first: 3) { nodes { code } } }"


def test_an_imported_batch_of_evidence_is_fitted_without_a_refit_request(
    stack: Stack, tmp_path: Path
) -> None:
    admin = stack.tokens["admin"]

    def status() -> dict[str, Any]:
        found: dict[str, Any] = stack.query(admin, FRESHNESS)["recommenderStatus"]
        return found

    # The seeded organisation is applied and a first model fitted, nobody asked for one.
    wait_until(lambda: status()["caughtUp"] and status()["modelVersion"] is not None, timeout=120)
    before = status()
    numbers = [
        n["employeeNumber"] for n in stack.query(admin, ACTIVE_NUMBERS)["employees"]["nodes"]
    ]
    codes = [c["code"] for c in stack.query(admin, COMPETENCY_CODES)["competencies"]["nodes"]]
    # 300 peer assessments: about 9% more than the demo's ~3,350 evidence records.
    rows = [
        f"{number},{code},{1 + i % 5},{dt.date.today().isoformat()},peer"
        for i, (number, code) in enumerate((n, c) for n in numbers for c in codes)
    ]
    csv_path = tmp_path / "assessments.csv"
    csv_path.write_text(
        "employee_id,competency_code,level,assessed_on,source\n" + "\n".join(rows) + "\n"
    )
    assert len(rows) >= 250

    stack.talent("import", "assessments", str(csv_path))

    def refitted() -> bool:
        now = status()
        return (
            now["caughtUp"] is True
            and (now["pendingEvents"], now["lagSeconds"]) == (0, 0)
            and now["modelVersion"] > before["modelVersion"]
        )

    if not wait_for(refitted, timeout=120, interval=0.5):
        pytest.fail(f"no refit after the import: {before} -> {status()}")
