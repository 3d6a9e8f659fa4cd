"""Acceptance for announcements through `talent dev up`: an HR leader sends an
announcement to the managers behind in the demo's annual cycle (MANAGER_REVIEW); its
recipients, read through the gateway per recipient, and the emails in the mail catcher
are exactly the reviewers of performance's `whoIsBehind(cycleId, phase: MANAGER_REVIEW)`."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e

CYCLES = """query ($after: String) { reviewCycles(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } nodes { id code status phase } } }"""
BEHIND = """query ($id: ID!, $after: String) {
  whoIsBehind(cycleId: $id, phase: MANAGER_REVIEW, first: 100, after: $after) {
    reviews { pageInfo { hasNextPage endCursor } nodes { reviewer { id } } } } }"""
PREVIEW = """query ($audience: AnnouncementAudienceInput!) {
  announcementPreview(audience: $audience, first: 100) { count recipients { employee { id } } } }"""
SEND = """mutation ($input: SendAnnouncementInput!) { sendAnnouncement(input: $input) {
  __typename ... on SendAnnouncementPayload { announcement { id status recipientCount } }
  ... on Error { code message } } }"""
RECIPIENTS = """query ($id: ID!, $after: String) { announcement(id: $id) {
  recipients(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { channel status employee { id email } } } } }"""


def pages(
    stack: Stack, token: str, document: str, variables: dict[str, Any], path: list[str]
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page: Any = stack.query(token, document, {**variables, "after": after})
        for key in path:
            page = page[key]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_an_announcement_to_the_managers_behind_reaches_exactly_them(stack: Stack) -> None:
    hr = stack.tokens["hr_leader"]
    cycles = pages(stack, hr, CYCLES, {}, ["reviewCycles"])
    [cycle] = [c for c in cycles if c["status"] == "ACTIVE" and c["phase"] == "MANAGER_REVIEW"]
    behind = {
        n["reviewer"]["id"]
        for n in pages(stack, hr, BEHIND, {"id": cycle["id"]}, ["whoIsBehind", "reviews"])
        if n["reviewer"] is not None
    }
    assert behind  # the demo has managers behind
    audience = {"behind": {"cycleId": cycle["id"], "phase": "MANAGER_REVIEW"}}

    def notifier_knows_them() -> bool:
        preview = stack.query(hr, PREVIEW, {"audience": audience})["announcementPreview"]
        return {r["employee"]["id"] for r in preview["recipients"]} == behind

    # The notifier learns the reviews from performance's events (review.assigned).
    wait_until(notifier_knows_them, timeout=180)
    subject = f"Manager reviews are due ({uuid.uuid4().hex[:8]})"
    sent = stack.query(
        hr,
        SEND,
        {
            "input": {
                "audience": audience,
                "subject": subject,
                "body": "Please submit your manager reviews this week.",
            }
        },
    )["sendAnnouncement"]
    assert sent["__typename"] == "SendAnnouncementPayload", sent
    announcement = sent["announcement"]
    assert (announcement["status"], announcement["recipientCount"]) == ("SENT", len(behind))

    rows: list[dict[str, Any]] = []

    def emails_sent() -> bool:
        rows[:] = pages(
            stack, hr, RECIPIENTS, {"id": announcement["id"]}, ["announcement", "recipients"]
        )
        return all(r["status"] == "SENT" for r in rows if r["channel"] == "EMAIL")

    wait_until(emails_sent, timeout=180)
    assert {r["employee"]["id"] for r in rows if r["channel"] == "IN_APP"} == behind
    emailed = {r["employee"]["id"]: r["employee"]["email"] for r in rows if r["channel"] == "EMAIL"}
    assert set(emailed) == behind
    for address in emailed.values():
        found = httpx.get(stack.info["mail"]["api"], params={"to.address": address}, timeout=30)
        found.raise_for_status()
        assert [m["subject"] for m in found.json()].count(subject) == 1
    everyone = httpx.get(stack.info["mail"]["api"], timeout=30).json()
    assert sum(1 for m in everyone if m["subject"] == subject) == len(behind)
