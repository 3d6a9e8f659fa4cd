"""Acceptance for the notifier through `talent dev up`, continued: live push of the in-app
inbox (a `notificationAdded` subscription through the gateway, over Server-Sent Events),
preferences `WEEKLY` and `OFF` honoured end to end, and a webhook receiver on 127.0.0.1
that verifies the Standard Webhooks signature with the reference library."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psycopg
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .conftest import Stack, wait_until

# The first test waits for the whole stack to start.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

EMPLOYEES = """query ($after: String) {
  employees(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id email status orgUnit { code } }
  } }"""
CREATE_COURSE = """mutation($input: CreateCourseInput!) {
  createCourse(input: $input) { __typename } }"""
ASSIGN = """mutation($input: AssignLearningInput!) {
  assignLearning(input: $input) { __typename ... on AssignLearningPayload { assignedCount } } }"""
SET_PREFERENCE = """mutation($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) {
    __typename ... on SetNotificationPreferencePayload { preference { frequency own } } } }"""
INBOX = """{ me { notifications(first: 100) { nodes { id kind courseCode } } } }"""
LEDGER = """query ($kind: NotificationKind, $channel: NotificationChannel, $after: String) {
  notificationDeliveries(kind: $kind, channel: $channel, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { status title channel recipient { id } webhook { id } lastError }
  } }"""
SEND_DIGESTS = """mutation { sendDigests(input: {frequency: WEEKLY}) {
  __typename ... on SendDigestsPayload { digests } } }"""
CREATE_WEBHOOK = """mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename ... on CreateWebhookPayload { secret webhook { id } } } }"""
DELETE_WEBHOOK = """mutation($input: DeleteWebhookInput!) {
  deleteWebhook(input: $input) { __typename } }"""
SUBSCRIBE = "subscription { notificationAdded { id kind title courseCode about { id } } }"


def people(stack: Stack) -> list[dict[str, Any]]:
    """Active demo employees other than the people behind the demo tokens."""
    taken = {p["employee_id"] for p in stack.info["people"].values()}
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = stack.query(stack.tokens["admin"], EMPLOYEES, {"after": after})["employees"]
        found += [
            e
            for e in page["nodes"]
            if e["status"] == "ACTIVE" and e["id"] not in taken and e["orgUnit"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def new_course(stack: Stack, label: str) -> str:
    code = f"{label}-{uuid.uuid4().hex[:6].upper()}"
    made = stack.query(
        stack.tokens["admin"],
        CREATE_COURSE,
        {"input": {"code": code, "title": f"Push e2e {label}", "modality": "E_LEARNING"}},
    )
    assert made["createCourse"]["__typename"] == "CoursePayload"
    return code


def assign(stack: Stack, code: str, employee_id: str, reason: str = "MANAGER") -> None:
    done = stack.query(
        stack.tokens["admin"],
        ASSIGN,
        {"input": {"reason": reason, "courseCode": code, "employeeIds": [employee_id]}},
    )
    assert done["assignLearning"] == {"__typename": "AssignLearningPayload", "assignedCount": 1}


def ledger(stack: Stack, *, kind: str, channel: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = stack.query(
            stack.tokens["admin"], LEDGER, {"kind": kind, "channel": channel, "after": after}
        )["notificationDeliveries"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def rows_about(stack: Stack, code: str, *, channel: str) -> list[dict[str, Any]]:
    return [
        n for n in ledger(stack, kind="ENROLLMENT_ASSIGNED", channel=channel) if code in n["title"]
    ]


def mail_to(stack: Stack, address: str) -> list[dict[str, Any]]:
    found = httpx.get(stack.info["mail"]["api"], params={"to.address": address}, timeout=30)
    found.raise_for_status()
    return list(found.json())


def inbox_codes(stack: Stack, token: str) -> list[str | None]:
    nodes = stack.query(token, INBOX)["me"]["notifications"]["nodes"]
    return [n["courseCode"] for n in nodes]


def set_preference(stack: Stack, token: str, channel: str, frequency: str) -> None:
    answer = stack.query(
        token,
        SET_PREFERENCE,
        {"input": {"category": "LEARNING", "channel": channel, "frequency": frequency}},
    )["setNotificationPreference"]
    assert answer["__typename"] == "SetNotificationPreferencePayload"
    assert answer["preference"] == {"frequency": frequency, "own": True}


class Subscription:
    """`notificationAdded` read through the gateway in a thread (GraphQL over SSE)."""

    def __init__(self, gateway: str, token: str) -> None:
        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.status: int | None = None
        self.opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(30, read=None))
        self._thread = threading.Thread(target=self._read, args=(gateway, token), daemon=True)
        self._thread.start()
        assert self.opened.wait(30), "the gateway did not answer the subscription"

    def _read(self, gateway: str, token: str) -> None:
        headers = {"accept": "text/event-stream", "authorization": f"Bearer {token}"}
        try:
            with self._client.stream(
                "POST", gateway, json={"query": SUBSCRIBE}, headers=headers
            ) as answer:
                self.status = answer.status_code
                self.opened.set()
                event = None
                for line in answer.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "next":
                        self.events.put((time.monotonic(), json.loads(line.split(":", 1)[1])))
        except (httpx.HTTPError, RuntimeError):
            self.opened.set()

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=10)


def test_a_new_notification_is_pushed_to_its_recipient_through_the_gateway(stack: Stack) -> None:
    ana, bob = people(stack)[:2]
    ana_token = stack.token_for(ana["id"])
    mine = Subscription(stack.gateway, ana_token)
    theirs = Subscription(stack.gateway, stack.token_for(bob["id"]))
    try:
        assert (mine.status, theirs.status) == (200, 200)
        time.sleep(1)  # the subgraph registers the subscription behind the gateway's 200
        code = new_course(stack, "PUSH")
        started = time.monotonic()
        assign(stack, code, ana["id"])
        received_at, event = mine.events.get(timeout=30)
        pushed = event["data"]["notificationAdded"]
        assert pushed["kind"] == "ENROLLMENT_ASSIGNED"
        assert pushed["courseCode"] == code
        assert pushed["about"] == {"id": ana["id"]}
        # Only the recipient hears of it.
        with pytest.raises(queue.Empty):
            theirs.events.get(timeout=2)
        # The same notification is in the inbox a client re-queries after a reconnect.
        assert code in inbox_codes(stack, ana_token)
        print(f"\nassignLearning answered -> pushed to the client: {received_at - started:.3f} s")
    finally:
        mine.close()
        theirs.close()


def test_weekly_and_off_preferences_are_honoured(stack: Stack) -> None:
    weekly, off = people(stack)[2:4]
    weekly_token, off_token = stack.token_for(weekly["id"]), stack.token_for(off["id"])
    set_preference(stack, weekly_token, "EMAIL", "WEEKLY")
    set_preference(stack, off_token, "EMAIL", "OFF")
    set_preference(stack, off_token, "IN_APP", "OFF")

    held = new_course(stack, "WEEKLY")
    silenced = new_course(stack, "OFF")
    mandatory = new_course(stack, "MANDATORY")
    assign(stack, held, weekly["id"])
    assign(stack, silenced, off["id"])
    # Published after the optional one, for the same employee (same partition): once this
    # one is handled, so is the other.
    assign(stack, mandatory, off["id"], reason="COMPLIANCE")

    # OFF: the compliance notice still arrives on both channels...
    wait_until(
        lambda: any(n["status"] == "SENT" for n in rows_about(stack, mandatory, channel="EMAIL")),
        timeout=120,
    )
    assert [m["subject"] for m in mail_to(stack, off["email"])].count(
        f"New course assigned: {mandatory}"
    ) == 1
    assert mandatory in inbox_codes(stack, off_token)
    # ...the optional one makes no row at all, on either channel.
    assert rows_about(stack, silenced, channel="EMAIL") == []
    assert rows_about(stack, silenced, channel="IN_APP") == []
    assert silenced not in inbox_codes(stack, off_token)
    assert not any(silenced in m["subject"] for m in mail_to(stack, off["email"]))

    # WEEKLY: in the inbox at once; the email is held for the digest, not sent.
    wait_until(lambda: held in inbox_codes(stack, weekly_token), timeout=60)
    [email] = rows_about(stack, held, channel="EMAIL")
    assert email["status"] == "DIGEST"
    assert email["recipient"] == {"id": weekly["id"]}
    # The email job has run since (the compliance email went out) and sent nothing.
    assert not any(held in m["subject"] for m in mail_to(stack, weekly["email"]))

    # A week passes: the held row moves before this week's period start (a run makes the
    # digest of what was held before its period began), then the admin sends digests.
    url = stack.info["services"]["notifier"]["database_url"].replace("+psycopg", "", 1)
    with psycopg.connect(url) as db:
        moved = db.execute(
            "UPDATE delivery SET created_at = created_at - interval '8 days' "
            "WHERE recipient_id = %s AND status = 'digest' AND channel = 'email'",
            (weekly["id"],),
        ).rowcount
    assert moved >= 1
    sent = stack.query(stack.tokens["admin"], SEND_DIGESTS)["sendDigests"]
    assert sent["__typename"] == "SendDigestsPayload"
    assert sent["digests"] >= 1

    def digests() -> list[dict[str, Any]]:
        return [
            m
            for m in mail_to(stack, weekly["email"])
            if m["subject"].startswith("Your weekly digest")
        ]

    wait_until(lambda: digests(), timeout=60)
    [digest] = digests()
    assert held in digest["text"]
    # Sent inside the digest, never on its own.
    assert not any(held in m["subject"] for m in mail_to(stack, weekly["email"]))
    [email] = rows_about(stack, held, channel="EMAIL")
    assert email["status"] == "SENT"


class Receiver:
    """A webhook receiver on 127.0.0.1: checks each request's signature with the
    reference library, answers 401 to a bad one, keeps the verified bodies."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.verified: queue.Queue[dict[str, Any]] = queue.Queue()
        self.refused = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                try:
                    assert receiver.secret is not None
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    receiver.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.verified.put(payload)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    try:
        yield started
    finally:
        started.stop()


def test_a_webhook_receiver_verifies_the_signature(stack: Stack, receiver: Receiver) -> None:
    employee = people(stack)[4]
    admin = stack.tokens["admin"]
    made = stack.query(
        admin,
        CREATE_WEBHOOK,
        {
            "input": {
                "url": receiver.url,
                "orgUnitCode": employee["orgUnit"]["code"],
                "categories": ["LEARNING"],
            }
        },
    )["createWebhook"]
    assert made["__typename"] == "CreateWebhookPayload"
    receiver.secret = made["secret"]
    webhook_id = made["webhook"]["id"]
    try:
        # A forged request is refused.
        forged = httpx.post(
            receiver.url,
            content=b'{"text": "forged"}',
            headers={
                "webhook-id": "msg_forged",
                "webhook-timestamp": str(int(time.time())),
                "webhook-signature": "v1,bm90IGEgc2lnbmF0dXJl",
            },
            timeout=10,
        )
        assert forged.status_code == 401

        code = new_course(stack, "HOOK")
        assign(stack, code, employee["id"])
        deadline = time.monotonic() + 120
        payload: dict[str, Any] | None = None
        while payload is None:
            got = receiver.verified.get(timeout=max(0.1, deadline - time.monotonic()))
            if got["data"].get("courseCode") == code:
                payload = got
        assert payload["type"] == "talent.notification.enrollment_assigned"
        assert payload["data"]["kind"] == "ENROLLMENT_ASSIGNED"
        assert payload["data"]["employeeId"] == employee["id"]
        assert code in payload["text"]

        def delivered() -> list[dict[str, Any]]:
            return [
                n
                for n in rows_about(stack, code, channel="WEBHOOK")
                if n["webhook"] == {"id": webhook_id}
            ]

        wait_until(lambda: [n["status"] for n in delivered()] == ["SENT"], timeout=60)
        assert receiver.refused == 1  # only the forged one
    finally:
        stack.query(admin, DELETE_WEBHOOK, {"input": {"id": webhook_id}})
