"""How fast a burst of events drains, read from the metrics operators watch:
`python -m bench.burst_drain [N] [SERVICE ...]` (default 10000; every consumer of people's
events: learning, performance, succession, recommender).

People's CSV import commits N `employee.hired` events in one transaction; people's worker
(relay) publishes them to a real Tansu broker; then each consuming service's worker
projects them, one service after the other (so none shares the two cores with another),
all in this process with their metrics endpoints on. Reported: import time, time until
people's `talent_outbox_backlog` reads 0 (the relay's publish rate), for each consumer the
time until its `talent_consumer_lag` reads 0 on every partition (its apply rate,
including the group join) and that rate as a share of the relay's, and how long one
scrape of each worker's /metrics takes.

`--together`: instead, the relay and every consumer start at once right after the import,
as in production, and the time from the import's end until each consumer has applied
all N events is reported, next to the relay's (the floor for all of them).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import migrated_database, percentile, postgres_admin_url
from talent_contracts import service_topic
from talent_devtools.broker import TansuBroker
from talent_people.config import PeopleSettings
from talent_people.db import messaging as people_messaging
from talent_people.imports.service import run_import
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url
from talent_platform.events import HandlerRegistry, MessagingTables
from talent_platform.observability.metrics import sample_values
from talent_platform.settings import ServiceSettings
from talent_platform.worker import Worker

ADMIN = Principal(subject="bench", employee_id=None, roles=frozenset({Role.ADMIN}))
HEADER = "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"


@dataclass
class ConsumingService:
    name: str
    settings: type[ServiceSettings]
    tables: MessagingTables
    registry: HandlerRegistry


def consuming_services() -> dict[str, Callable[[], ConsumingService]]:
    """Imported on demand: each service's modules load only when it is measured."""

    def learning() -> ConsumingService:
        from talent_learning.config import LearningSettings
        from talent_learning.consumers import registry
        from talent_learning.db import messaging

        return ConsumingService("learning", LearningSettings, messaging, registry)

    def performance() -> ConsumingService:
        from talent_performance.config import PerformanceSettings
        from talent_performance.db import messaging
        from talent_performance.people.consumers import registry

        return ConsumingService("performance", PerformanceSettings, messaging, registry)

    def succession() -> ConsumingService:
        from talent_succession.config import SuccessionSettings
        from talent_succession.consumers import registry
        from talent_succession.db import messaging

        return ConsumingService("succession", SuccessionSettings, messaging, registry)

    def recommender() -> ConsumingService:
        from talent_recommender.config import RecommenderSettings
        from talent_recommender.db import messaging
        from talent_recommender.ingest.consumers import registry

        return ConsumingService("recommender", RecommenderSettings, messaging, registry)

    return {
        "learning": learning,
        "performance": performance,
        "succession": succession,
        "recommender": recommender,
    }


def scrape(worker: Worker) -> tuple[str, float]:
    assert worker.endpoint is not None
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.endpoint.port}/metrics") as response:
        text = response.read().decode()
    return text, time.perf_counter() - started


def total(worker: Worker, name: str) -> float:
    return sum(value for _, value in sample_values(scrape(worker)[0], name))


def wait(condition: object, timeout: float = 3600.0) -> float:
    started = time.perf_counter()
    while not condition():  # type: ignore[operator]
        if time.perf_counter() - started > timeout:
            raise TimeoutError("burst did not drain")
        time.sleep(0.1)
    return time.perf_counter() - started


def start(worker: Worker, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    while worker.endpoint is None:
        time.sleep(0.05)
    return thread


def scrape_times(name: str, worker: Worker) -> None:
    times = [scrape(worker)[1] * 1000 for _ in range(20)]
    print(
        f"{name} worker /metrics scrape: median {percentile(times, 50):.1f} ms, "
        f"p95 {percentile(times, 95):.1f} ms"
    )


def drain_together(
    n: int,
    people: ServiceSettings,
    names: list[str],
    available: dict[str, Callable[[], ConsumingService]],
    stack: ExitStack,
    admin: str,
    common: dict[str, object],
    stop: threading.Event,
) -> None:
    """As in production: right after the import, the relay and every consumer start at
    once and share the cores. Reported: the time from the import's end until the relay's
    backlog is 0 (the floor for everyone) and until each consumer has applied all N."""
    consumers: dict[str, Worker] = {}
    for name in names:
        service = available[name]()
        url = stack.enter_context(migrated_database(admin, name))
        settings = service.settings(database_url=url, **common)
        consumers[name] = Worker(
            settings,
            tables=service.tables,
            registry=service.registry,
            consumes=[service_topic("people")],
        )
    started = time.perf_counter()
    producer = Worker(people, tables=people_messaging)
    threads = [start(producer, stop)] + [start(c, stop) for c in consumers.values()]
    relay_s: float | None = None
    done: dict[str, float] = {}
    while len(done) < len(consumers):
        if time.perf_counter() - started > 3600:
            raise TimeoutError("burst did not drain")
        backlog = total(producer, "talent_outbox_backlog")
        if relay_s is None and backlog == 0:
            relay_s = time.perf_counter() - started
        for name, consumer in consumers.items():
            if name in done or backlog:
                continue
            applied = total(consumer, "talent_consumer_records_total")
            if applied >= n and total(consumer, "talent_consumer_lag") == 0:
                done[name] = time.perf_counter() - started
        time.sleep(0.2)
    assert relay_s is not None
    print(
        f"together, from the import's end: people relay backlog {n} -> 0 in {relay_s:.1f} s "
        f"({n / relay_s:.0f} events/s)"
    )
    for name, seconds in done.items():
        print(f"together: {name} applied all {n} in {seconds:.1f} s ({n / seconds:.0f} events/s)")
    stop.set()
    for thread in threads:
        thread.join(timeout=60)


def main(n: int, names: list[str], *, together: bool = False) -> None:
    available = consuming_services()
    unknown = set(names) - set(available)
    if unknown:
        raise SystemExit(f"unknown services {sorted(unknown)}; choose from {sorted(available)}")
    log_dir = Path(tempfile.mkdtemp(prefix="talent-bench-"))
    with ExitStack() as stack:
        admin = stack.enter_context(postgres_admin_url())
        broker = stack.enter_context(TansuBroker(log_path=log_dir / "tansu.log"))
        people_url = stack.enter_context(migrated_database(admin, "people"))
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        common = {
            "environment": "test",
            "topic_prefix": prefix,
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "worker_metrics_port": 0,
        }
        people = PeopleSettings(database_url=people_url, **common)  # type: ignore[arg-type]
        rows = "\n".join(
            f"E{i},Person {i},p{i}@example.com,2020-01-01,,Unit,City,,active" for i in range(n)
        )

        async def load() -> None:
            engine = create_async_engine(async_url(people_url))
            async with AsyncSession(engine) as session, session.begin():
                await run_import(session, ADMIN, "employees", HEADER + rows + "\n")
            await engine.dispose()

        started = time.perf_counter()
        asyncio.run(load())
        print(
            f"import of {n} employees (and {n} outbox rows): {time.perf_counter() - started:.1f} s"
        )
        stop = threading.Event()
        if together:
            drain_together(n, people, names, available, stack, admin, common, stop)
            shutil.rmtree(log_dir, ignore_errors=True)
            return
        producer = Worker(people, tables=people_messaging)
        threads = [start(producer, stop)]
        relay_s = wait(lambda: total(producer, "talent_outbox_backlog") == 0)
        relay_rate = n / relay_s
        print(f"people relay: backlog {n} -> 0 in {relay_s:.1f} s ({relay_rate:.0f} events/s)")
        scrape_times("people", producer)
        for name in names:
            service = available[name]()
            url = stack.enter_context(migrated_database(admin, name))
            settings = service.settings(database_url=url, **common)  # type: ignore[arg-type]
            consumer = Worker(
                settings,
                tables=service.tables,
                registry=service.registry,
                consumes=[service_topic("people")],
            )
            service_stop = threading.Event()
            thread = start(consumer, service_stop)
            lag_before = total(consumer, "talent_consumer_lag")
            consumer_s = wait(lambda: total(consumer, "talent_consumer_lag") == 0)  # noqa: B023
            rate = n / consumer_s
            print(
                f"{name} consumer: lag {lag_before:.0f} -> 0 in {consumer_s:.1f} s "
                f"({rate:.0f} events/s, including the group join; "
                f"{rate / relay_rate:.2f}x the relay's rate)"
            )
            scrape_times(name, consumer)
            service_stop.set()
            thread.join(timeout=60)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(arguments[0]) if arguments else 10_000
    main(count, arguments[1:] or list(consuming_services()), together="--together" in sys.argv)
