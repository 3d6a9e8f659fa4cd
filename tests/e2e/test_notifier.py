"""Acceptance for the notifier through `talent dev up`: the demo's compliance sweep marks
enrollments overdue; each overdue enrollment reaches the employee and their manager as
one email each in the mail catcher (MailDev, read through its HTTP API), and delivering
the same events again (a replay of learning's history) sends nothing more."""

from __future__ import annotations

import collections
import datetime as dt
import re
from typing import Any

import httpx
import pytest

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e

OVERDUE_EMAILS = """query ($after: String) {
  notificationDeliveries(kind: ENROLLMENT_OVERDUE, channel: EMAIL, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { sourceEventId status title recipient { id email } }
  } }"""
ASSIGNED_EMAILS = """query ($after: String) {
  notificationDeliveries(kind: ENROLLMENT_ASSIGNED, channel: EMAIL, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { status title recipient { id } }
  } }"""
CREATE_COURSE = """mutation($input: CreateCourseInput!) {
  createCourse(input: $input) { __typename } }"""
ASSIGN = """mutation($input: AssignLearningInput!) {
  assignLearning(input: $input) { __typename ... on AssignLearningPayload { assignedCount } } }"""


def every(stack: Stack, document: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = stack.query(stack.tokens["admin"], document, {"after": after})[
            "notificationDeliveries"
        ]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def caught(stack: Stack, address: str) -> list[str]:
    """Subjects of the messages the mail catcher holds for `address`."""
    found = httpx.get(stack.info["mail"]["api"], params={"to.address": address}, timeout=30)
    found.raise_for_status()
    return [m["subject"] for m in found.json()]


def sent_pairs(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    """Overdue events whose emails to the employee and to the manager were both sent."""
    by_event: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for node in every(stack, OVERDUE_EMAILS):
        by_event[node["sourceEventId"]].append(node)
    return {
        event: nodes
        for event, nodes in by_event.items()
        if len(nodes) == 2 and all(n["status"] == "SENT" for n in nodes)
    }


def test_an_overdue_enrollment_emails_the_employee_and_the_manager_once(stack: Stack) -> None:
    assert stack.info["mail"]["web"].startswith("http://127.0.0.1:")
    pairs: dict[str, list[dict[str, Any]]] = {}

    def some_sent() -> bool:
        pairs.update(sent_pairs(stack))
        return bool(pairs)

    wait_until(some_sent, timeout=180)
    event, nodes = sorted(pairs.items())[0]
    [to_employee] = [n for n in nodes if not n["title"].startswith("Overdue for ")]
    [to_manager] = [n for n in nodes if n["title"].startswith("Overdue for ")]
    assert to_employee["recipient"]["id"] != to_manager["recipient"]["id"]
    employee_email = to_employee["recipient"]["email"]
    manager_email = to_manager["recipient"]["email"]
    assert caught(stack, employee_email).count(to_employee["title"]) == 1
    assert caught(stack, manager_email).count(to_manager["title"]) == 1

    # The same events delivered again: learning's whole history replayed.
    assert stack.talent("events", "replay", "--service", "learning").returncode == 0
    # Then a new assignment to the same employee, published after the replay on the same
    # partition (events are keyed by employee): once it is handled, so is the replay.
    employee_id = to_employee["recipient"]["id"]
    admin = stack.tokens["admin"]
    code = "NOTIFIER-E2E"
    assert (
        stack.query(
            admin,
            CREATE_COURSE,
            {"input": {"code": code, "title": "Notifier e2e", "modality": "E_LEARNING"}},
        )["createCourse"]["__typename"]
        == "CoursePayload"
    )
    assigned = stack.query(
        admin,
        ASSIGN,
        {
            "input": {
                "reason": "MANAGER",
                "courseCode": code,
                "employeeIds": [employee_id],
                "dueOn": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            }
        },
    )
    assert assigned["assignLearning"] == {
        "__typename": "AssignLearningPayload",
        "assignedCount": 1,
    }
    title = f"New course assigned: {code}"

    def marker_sent() -> bool:
        return any(
            n["recipient"]["id"] == employee_id and n["title"] == title and n["status"] == "SENT"
            for n in every(stack, ASSIGNED_EMAILS)
        )

    wait_until(marker_sent, timeout=120)
    assert caught(stack, employee_email).count(title) == 1
    assert sent_pairs(stack)[event] == nodes
    assert caught(stack, employee_email).count(to_employee["title"]) == 1
    assert caught(stack, manager_email).count(to_manager["title"]) == 1


TEAM = "{ me { id email directReports { id name status } } }"
RECOMMENDED = """query($id: ID!) { employee(id: $id) {
  recommendedCourses(first: 5) { id course { code } score reasons } } }"""
TEAM_NOTICES = """query ($after: String) {
  notificationDeliveries(kind: TEAM_RECOMMENDATIONS, channel: IN_APP, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { recipient { id } }
  } }"""
SEND_DIGESTS = """mutation { sendDigests(input: {frequency: WEEKLY}) {
  __typename ... on SendDigestsPayload { digests managerDigests } } }"""


def mail_to(stack: Stack, address: str) -> list[dict[str, Any]]:
    found = httpx.get(stack.info["mail"]["api"], params={"to.address": address}, timeout=30)
    found.raise_for_status()
    messages: list[dict[str, Any]] = found.json()
    return messages


def test_a_managers_weekly_digest_lists_each_reports_top_action_with_reasons(
    stack: Stack,
) -> None:
    manager = stack.tokens["manager"]
    me = stack.query(manager, TEAM)["me"]
    reports = [r for r in me["directReports"] if r["status"] == "ACTIVE"][:3]
    assert reports, "the demo manager has active reports"
    served: dict[str, dict[str, dict[str, Any]]] = {}

    # The manager looks at each report's recommended courses: the recommender issues them
    # (recommendation.issued), the notifier keeps them.
    def recommendations_served() -> bool:
        for report in reports:
            found = stack.query(manager, RECOMMENDED, {"id": report["id"]})["employee"]
            if found["recommendedCourses"]:
                served.setdefault(report["id"], {}).update(
                    {r["id"]: r for r in found["recommendedCourses"]}
                )
        return len(served) == len(reports)

    wait_until(recommendations_served, timeout=180)
    # Kept once the manager's team notice is: the same consumer batch writes both.
    wait_until(
        lambda: any(n["recipient"]["id"] == me["id"] for n in every(stack, TEAM_NOTICES)),
        timeout=60,
    )

    admin = stack.tokens["admin"]
    sent = stack.query(admin, SEND_DIGESTS)["sendDigests"]
    assert sent["__typename"] == "SendDigestsPayload", sent

    def digest() -> dict[str, Any] | None:
        return next(
            (m for m in mail_to(stack, me["email"]) if m["subject"].startswith("Your team")), None
        )

    wait_until(lambda: digest() is not None, timeout=60)
    found = digest()
    assert found is not None
    text = found["text"]
    for report in reports:
        assert report["name"] in text
        section = text.split(report["name"], 1)[1]
        # The top action is one the recommender served for this report (a refit between
        # two looks supersedes the older ones): its id, its course, one of its reasons.
        match = re.search(r"recommendationId ([0-9a-f-]{36})", section)
        assert match is not None, section
        top = served[report["id"]][match.group(1)]
        assert f"Top development action: the course {top['course']['code']}" in section
        assert any(f"because {reason}" in section for reason in top["reasons"])

    # A second run in the same week makes nothing more.
    again = stack.query(admin, SEND_DIGESTS)["sendDigests"]
    assert again["managerDigests"] == 0
    assert [m["subject"].startswith("Your team") for m in mail_to(stack, me["email"])].count(
        True
    ) == 1
