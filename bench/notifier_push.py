"""Live push of the in-app inbox: `python -m bench.notifier_push [SUBSCRIBERS] [ROUNDS]`
(defaults 200 and 100).

The notifier's API runs as in production (uvicorn, its own process) on a migrated
database; SUBSCRIBERS clients, one employee each, hold a `notificationAdded`
subscription over SSE (straight to the subgraph: the gateway adds its own hop, measured
by the e2e test). The writer plays the worker: it records in-app rows through
`ledger.record` in its own transactions.

- latency: ROUNDS times, one in-app row for one random subscriber, committed; latency =
  when the client read the event - just before the commit;
- fan-out: one transaction with a row for every subscriber; time until all have it;
- capacity: one subscription more than the process holds (TALENT_NOTIFIER_SUBSCRIPTION_
  CAPACITY = SUBSCRIBERS) is refused with SERVICE_UNAVAILABLE;
- memory: the API process's resident memory before and with the subscriptions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.common import migrated_database, percentile, postgres_admin_url
from talent_devtools.ports import free_port
from talent_notifier.config import NotifierSettings
from talent_notifier.notifications import ledger
from talent_platform.auth import issue_token
from talent_platform.db import sync_url

SUBSCRIBE = "subscription { notificationAdded { id courseCode } }"
SECRET = "bench-notifier-push-secret-of-32-bytes-or-more"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def in_app_row(recipient: uuid.UUID, marker: str) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        "id": uuid.uuid4(),
        "source_event_id": uuid.uuid4(),
        "recipient_id": recipient,
        "channel": "in_app",
        "kind": "enrollment_assigned",
        "audience": "employee",
        "subject_employee_id": recipient,
        "data": {"course_code": marker, "due_on": None, "reason": "manager"},
        "status": "sent",
        "attempts": 1,
        "sent_at": now,
        "next_attempt_at": None,
        "digest": None,
    }


class Client:
    def __init__(self, employee: uuid.UUID, token: str) -> None:
        self.employee = employee
        self.token = token
        self.received: dict[str, float] = {}
        self.first_line = asyncio.Event()
        self.refused: str | None = None

    async def run(self, http: httpx.AsyncClient, url: str) -> None:
        headers = {"accept": "text/event-stream", "authorization": f"Bearer {self.token}"}
        async with http.stream("POST", url, json={"query": SUBSCRIBE}, headers=headers) as r:
            r.raise_for_status()
            event = None
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "next":
                    body = json.loads(line.split(":", 1)[1])
                    if body.get("errors"):
                        self.refused = body["errors"][0]["extensions"]["code"]
                        self.first_line.set()
                        return
                    marker = body["data"]["notificationAdded"]["courseCode"]
                    self.received[marker] = time.time()
                    self.first_line.set()


async def until(condition: Any, within: float) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def measure(
    url: str, api_pid: int, engine: Any, settings: NotifierSettings, n: int, rounds: int
) -> None:
    def commit(rows: list[dict[str, Any]]) -> float:
        with Session(engine) as session, session.begin():
            ledger.record(session, rows)
            committed = time.time()
        return committed

    idle_rss = rss_mb(api_pid)
    clients = []
    for _ in range(n):
        employee = uuid.uuid4()
        token = issue_token(settings, subject=str(employee), roles=["employee"])
        clients.append(Client(employee, token))
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=None), limits=limits) as http:
        tasks = [asyncio.create_task(c.run(http, url)) for c in clients]
        # Every subscription registered: warm-up rows (a row committed before a
        # subscription registered is not new to it) until each client has read one.
        opened = time.monotonic()
        for attempt in range(60):
            waiting = [c for c in clients if not any(m.startswith("warm-up") for m in c.received)]
            if not waiting:
                break
            rows = [in_app_row(c.employee, f"warm-up-{attempt}") for c in waiting]
            await asyncio.to_thread(commit, rows)
            await asyncio.sleep(1.0)
        else:
            raise SystemExit(f"{len(waiting)} of {n} subscriptions never got a warm-up row")
        print(f"{n} subscriptions open and served in {time.monotonic() - opened:.1f} s")
        print(
            f"API process memory: {idle_rss:.0f} MB idle, "
            f"{rss_mb(api_pid):.0f} MB with {n} subscriptions"
        )

        latencies = []
        for i in range(rounds):
            client = random.choice(clients)
            marker = f"round-{i}"
            committed = await asyncio.to_thread(commit, [in_app_row(client.employee, marker)])
            if not await until(lambda c=client, m=marker: m in c.received, 30):
                raise SystemExit(f"round {i}: never received")
            latencies.append((client.received[marker] - committed) * 1000)
            await asyncio.sleep(0.02)
        latencies.sort()
        print(
            f"commit -> client, one subscriber of {n} ({rounds} rounds): "
            f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
            f"max {latencies[-1]:.1f} ms"
        )

        committed = await asyncio.to_thread(
            commit, [in_app_row(c.employee, "fan-out") for c in clients]
        )
        await until(lambda: all("fan-out" in c.received for c in clients), 60)
        last = max(c.received["fan-out"] - committed for c in clients) * 1000
        median = sorted(c.received["fan-out"] - committed for c in clients)[n // 2] * 1000
        print(f"one transaction for all {n}: median {median:.0f} ms, last {last:.0f} ms")

        extra = Client(uuid.uuid4(), "")
        extra.token = issue_token(settings, subject=str(extra.employee), roles=["employee"])
        extra_task = asyncio.create_task(extra.run(http, url))
        await until(lambda: extra.first_line.is_set(), 30)
        print(f"subscription {n + 1}: {extra.refused or 'accepted'}")
        extra_task.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, extra_task, return_exceptions=True)


def main(n: int, rounds: int) -> None:
    with postgres_admin_url() as admin, migrated_database(admin, "notifier") as database_url:
        async_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        settings = NotifierSettings(database_url=async_url, jwt_secret=SECRET)
        port = free_port()
        env = {
            **os.environ,
            "TALENT_NOTIFIER_DATABASE_URL": async_url,
            "TALENT_NOTIFIER_JWT_SECRET": SECRET,
            "TALENT_NOTIFIER_SUBSCRIPTION_CAPACITY": str(n),
            "TALENT_NOTIFIER_LOG_LEVEL": "WARNING",
        }
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "talent_notifier.app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/graphql"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or api.poll() is not None:
                    raise SystemExit(f"the notifier API did not start (exit {api.poll()})")
                time.sleep(0.2)
            engine = create_engine(sync_url(database_url), pool_size=2)
            asyncio.run(measure(url, api.pid, engine, settings, n, rounds))
            engine.dispose()
        finally:
            api.terminate()
            api.wait(timeout=30)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        int(sys.argv[2]) if len(sys.argv) > 2 else 100,
    )
