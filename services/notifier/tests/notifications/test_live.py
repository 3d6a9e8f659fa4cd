"""Live push: `notificationAdded` over GraphQL over SSE, served by the real app (uvicorn on
127.0.0.1) on its own committed database: the worker's transaction (the consumer's
handlers, committed) wakes the subscription through PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from talent_contracts.people import EmployeeSnapshot
from talent_devtools.testing import ServiceDatabaseFactory
from talent_notifier.config import NotifierSettings
from talent_notifier.notifications.live import INBOX_CHANNEL, InboxHub
from talent_notifier.schema import schema
from talent_platform.app import create_service_app
from talent_platform.auth import issue_token

from ..factories import assigned, deliver, hire, overdue

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
SUBSCRIBE = "subscription { notificationAdded { id kind title courseCode about { id } } }"
SECRET = "live-push-test-secret-of-at-least-32-bytes"


@dataclass
class LiveApi:
    url: str
    settings: NotifierSettings
    database_url: str
    app: FastAPI

    def wait_subscribed(self, count: int) -> None:
        """Until the process holds `count` subscriptions and listens: a notification
        committed after this reaches them."""
        deadline = time.monotonic() + 10
        while True:
            hub = getattr(self.app.state, "inbox_hub", None)
            if isinstance(hub, InboxHub) and hub.subscribers == count and hub.listening:
                return
            assert time.monotonic() < deadline, "the subscriptions did not register"
            time.sleep(0.02)

    def token(self, who: EmployeeSnapshot | None, *roles: str) -> str:
        return issue_token(
            self.settings,
            subject=str(who.employee_id) if who else "svc-admin",
            roles=roles or ("employee",),
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(settings: NotifierSettings) -> Iterator[tuple[str, FastAPI]]:
    app = create_service_app(settings=settings, schema=schema, title="notifier (live test)")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/graphql", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_database(service_database: ServiceDatabaseFactory) -> str:
    # Its own database: these tests commit (NOTIFY is delivered on commit only).
    return service_database("notifier_live", ALEMBIC_INI)


def _settings(database_url: str, **changes: Any) -> NotifierSettings:
    return NotifierSettings(
        database_url=database_url.replace("postgresql://", "postgresql+psycopg://", 1),
        jwt_secret=SECRET,
        **changes,
    )


@pytest.fixture(scope="module")
def live(live_database: str) -> Iterator[LiveApi]:
    settings = _settings(live_database)
    with _serve(settings) as (url, app):
        yield LiveApi(url=url, settings=settings, database_url=live_database, app=app)


def commit(database_url: str, work: Any) -> Any:
    """Run `work(session)` in a transaction that commits, as the worker's consumer does."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with Session(engine) as session, session.begin():
            return work(session)
    finally:
        engine.dispose()


class Stream:
    """A subscription read in a thread: events (`next` payloads, or the HTTP error) go to
    a queue."""

    def __init__(self, url: str, token: str | None) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.status: int | None = None
        self.opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        headers = {"accept": "text/event-stream"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self._thread = threading.Thread(target=self._read, args=(url, headers), daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the subscription did not answer"

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("POST", url, json={"query": SUBSCRIBE}, headers=headers) as r:
                self.status = r.status_code
                self.opened.set()
                if r.status_code != 200:
                    self.events.put({"status": r.status_code, "body": r.read().decode()})
                    return
                event = None
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "next":
                        self.events.put(json.loads(line.split(":", 1)[1]))
                    elif line.startswith("data:") and event == "complete":
                        self.events.put({"complete": True})
        except (httpx.HTTPError, RuntimeError):
            self.opened.set()

    def next(self, timeout: float = 10) -> dict[str, Any]:
        return self.events.get(timeout=timeout)

    def nothing_within(self, seconds: float) -> bool:
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=10)


def test_a_subscriber_gets_their_own_new_notifications_and_nobody_elses(live: LiveApi) -> None:
    ana, bob = commit(live.database_url, lambda s: (hire(s, "Ana Lima"), hire(s, "Bob Stone")))
    commit(
        live.database_url, lambda s: deliver(s, assigned(ana, course="OLD-1"), service="learning")
    )
    stream = Stream(live.url, live.token(ana))
    try:
        assert stream.status == 200
        live.wait_subscribed(1)
        # Someone else's notification: not to Ana.
        commit(
            live.database_url,
            lambda s: deliver(s, assigned(bob, course="BOB-1"), service="learning"),
        )
        commit(
            live.database_url,
            lambda s: deliver(s, assigned(ana, course="NEW-1"), service="learning"),
        )
        got = stream.next()
        notification = got["data"]["notificationAdded"]
        # The one made before the subscription is not new; Bob's is not Ana's.
        assert notification["courseCode"] == "NEW-1"
        assert notification["kind"] == "ENROLLMENT_ASSIGNED"
        assert notification["about"] == {"id": str(ana.employee_id)}
        # A transaction that rolls back announces nothing.
        engine = create_engine(
            live.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        )
        with Session(engine) as session:
            deliver(session, assigned(ana, course="ROLLED-BACK"), service="learning")
            session.rollback()
        engine.dispose()
        commit(
            live.database_url,
            lambda s: deliver(s, assigned(ana, course="NEW-2"), service="learning"),
        )
        assert stream.next()["data"]["notificationAdded"]["courseCode"] == "NEW-2"
        assert stream.nothing_within(1.0)
    finally:
        stream.close()


def test_a_subscription_needs_a_token_and_an_employee(live: LiveApi) -> None:
    anonymous = Stream(live.url, None)
    try:
        assert anonymous.status == 401
    finally:
        anonymous.close()
    service = Stream(live.url, live.token(None, "admin"))
    try:
        answer = service.next()
        assert answer["data"] is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]
    finally:
        service.close()


def test_a_full_process_refuses_more_subscriptions(live_database: str) -> None:
    settings = _settings(live_database, subscription_capacity=1)
    with _serve(settings) as (url, app):
        api = LiveApi(url=url, settings=settings, database_url=live_database, app=app)
        ana, bob = commit(live_database, lambda s: (hire(s, "Ana Full"), hire(s, "Bob Full")))
        first = Stream(url, api.token(ana))
        try:
            api.wait_subscribed(1)
            second = Stream(url, api.token(bob))
            try:
                answer = second.next()
                assert [e["extensions"]["code"] for e in answer["errors"]] == [
                    "SERVICE_UNAVAILABLE"
                ]
            finally:
                second.close()
            # The first still works.
            commit(
                live_database,
                lambda s: deliver(s, assigned(ana, course="FULL-1"), service="learning"),
            )
            assert first.next()["data"]["notificationAdded"]["courseCode"] == "FULL-1"
        finally:
            first.close()


def test_a_lost_listening_connection_is_made_again_and_nothing_is_missed(live: LiveApi) -> None:
    ana = commit(live.database_url, lambda s: hire(s, "Ana Again"))
    stream = Stream(live.url, live.token(ana))
    try:
        live.wait_subscribed(1)
        # The database ends the process's listening connection (a restart, a failover).
        ended = commit(
            live.database_url,
            lambda s: s.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query = :listen"
                ),
                {"listen": f"LISTEN {INBOX_CHANNEL}"},
            ).scalar_one(),
        )
        assert ended == 1
        # Committed while no connection listens, or just after it is made again: either
        # way it arrives (every subscription reads once after a reconnect).
        commit(
            live.database_url,
            lambda s: deliver(s, assigned(ana, course="AGAIN-1"), service="learning"),
        )
        assert stream.next(timeout=20)["data"]["notificationAdded"]["courseCode"] == "AGAIN-1"
    finally:
        stream.close()


def test_the_server_completes_a_subscription_after_its_maximum_lifetime(
    live_database: str,
) -> None:
    settings = _settings(live_database, subscription_max_s=1.0)
    with _serve(settings) as (url, app):
        api = LiveApi(url=url, settings=settings, database_url=live_database, app=app)
        ana = commit(live_database, lambda s: hire(s, "Ana Brief"))
        stream = Stream(url, api.token(ana))
        try:
            assert stream.next(timeout=20) == {"complete": True}
        finally:
            stream.close()


def test_the_ledger_announces_the_recipients_of_new_in_app_rows_once(live_database: str) -> None:
    boss, ana = commit(
        live_database, lambda s: (b := hire(s, "Bea Told"), hire(s, "Ana Told", manager=b))
    )
    with psycopg.connect(live_database.replace("+psycopg", "", 1), autocommit=True) as listener:
        listener.execute(f"LISTEN {INBOX_CHANNEL}")

        def heard() -> list[str]:
            return [n.payload for n in listener.notifies(timeout=1.0)]

        event = overdue(ana, course="TOLD-1")
        envelope = commit(live_database, lambda s: deliver(s, event, service="learning"))
        # The employee and the manager each have a new in-app row: one notification
        # each, on commit.
        assert sorted(heard()) == sorted([str(ana.employee_id), str(boss.employee_id)])
        # The same event again writes nothing new and announces nothing.
        commit(
            live_database,
            lambda s: deliver(s, event, service="learning", envelope=envelope),
        )
        assert heard() == []
