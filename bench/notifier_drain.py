"""A review cycle's deadline notices for a large organisation, drained by the notifier:
`python -m bench.notifier_drain [N] [--sends M]` (default 10,000 employees, 2,000 sends).

Performance (a fresh, migrated database; its projection of N employees copied as in
bench.performance_cycle) launches a cycle, opens the self-review phase with its deadline
tomorrow and runs its deadline sweep, which queues a `review.due_soon` for every pending
self review (N events); its relay publishes them to a real Tansu broker. The notifier's
database gets the same N people in its projection (as people's events would have left
them). Then, one after the other, each alone on the cores:

- baseline: a consumer of the same topic, with the notifier's inbox and a handler that
  does nothing (the consumer loop, the inbox insert and the offset commits: the floor
  for any handler), from its start (group join included) until its lag is 0;
- the notifier's worker as `python -m talent_notifier.worker` builds it (its registry,
  every handler), from its start until its lag is 0 and the ledger holds every row its
  handlers made (an in-app and an email row per reviewer, whatever the kinds): ledger
  rows/s, target 1,000/s;
- SMTP: the email delivery job (`email.drain`, as the worker runs it) sending M of those
  pending email rows to a local MailDev: emails/s.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, create_engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from bench.burst_drain import start, total
from bench.common import migrated_database, postgres_admin_url
from bench.performance_cycle import HR, PROFILES, REQUIREMENTS, employees
from talent_contracts import service_topic
from talent_contracts.performance import ReviewDueSoon
from talent_devtools.broker import TansuBroker
from talent_devtools.mailcatcher import MailCatcher
from talent_notifier.config import NotifierSettings
from talent_notifier.consumers import registry as notifier_registry
from talent_notifier.db import messaging as notifier_messaging
from talent_notifier.notifications.email import deliver_email, drain
from talent_notifier.notifications.models import Channel, Delivery, DeliveryStatus
from talent_notifier.people.models import EmployeeProjection
from talent_performance.config import PerformanceSettings
from talent_performance.cycles.deadlines import sweep_deadlines
from talent_performance.cycles.models import PHASES
from talent_performance.cycles.service import CycleService, NewCycle
from talent_performance.db import messaging as performance_messaging
from talent_performance.people.models import EmployeeProjection as PerformanceProjection
from talent_performance.people.models import JobProfileRequirement
from talent_platform.db import async_url
from talent_platform.db.bulk import copy_into, copy_rows
from talent_platform.events import HandlerRegistry
from talent_platform.events.handlers import BatchItem
from talent_platform.worker import Worker


def wait_until(condition: Any, timeout: float = 3600.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("did not drain")
        time.sleep(0.2)
    return time.perf_counter() - started


async def launch(url: str, people: list[dict[str, Any]]) -> uuid.UUID:
    """Performance's projection, a cycle launched and moved to self review (due tomorrow)."""
    engine = create_async_engine(async_url(url))
    try:
        async with AsyncSession(engine) as session, session.begin():
            await session.run_sync(
                lambda s: copy_into(s, cast(Table, PerformanceProjection.__table__), people)
            )
            await fill_performance_requirements(session)
        today = dt.date.today()
        # Goal setting ends today, self review tomorrow (due soon), the rest weekly after.
        deadlines = {p: today + dt.timedelta(days=max(0, 7 * i - 6)) for i, p in enumerate(PHASES)}
        async with AsyncSession(engine) as session, session.begin():
            cycle = await CycleService(session, HR).create(
                NewCycle(code="BENCH", name="Bench", kind="annual", deadlines=deadlines)
            )
            cycle_id = cycle.id
        async with AsyncSession(engine) as session, session.begin():
            await CycleService(session, HR).launch(cycle_id)
        async with AsyncSession(engine) as session, session.begin():
            await CycleService(session, HR).advance(cycle_id, to_phase=PHASES[1])
        return cycle_id
    finally:
        await engine.dispose()


async def fill_performance_requirements(session: AsyncSession) -> None:
    """The job profiles' requirements bench.performance_cycle uses (its `fill` copies the
    projection too; here the projection is the one shared with the notifier)."""
    await copy_rows(
        session,
        cast(Table, JobProfileRequirement.__table__),
        [
            {
                "job_profile_code": f"P{p}",
                "competency_code": f"C{(p * 3 + r) % 60}",
                "required_level": r % 5 + 1,
                "importance": 3,
            }
            for p in range(PROFILES)
            for r in range(REQUIREMENTS)
        ],
    )


def nothing(session: Session, items: Sequence[BatchItem]) -> None:
    """The baseline's handler: the consumer loop and the inbox, no notifier work."""


def main(n: int, sends: int) -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="talent-bench-notifier-"))
    with ExitStack() as stack:
        admin = stack.enter_context(postgres_admin_url())
        broker = stack.enter_context(TansuBroker(log_path=log_dir / "tansu.log"))
        performance_url = stack.enter_context(migrated_database(admin, "performance"))
        notifier_url = stack.enter_context(migrated_database(admin, "notifier"))
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        common: dict[str, Any] = {
            "environment": "test",
            "topic_prefix": prefix,
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "worker_metrics_port": 0,
        }
        people = employees(n)
        started = time.perf_counter()
        asyncio.run(launch(performance_url, people))
        performance = PerformanceSettings(database_url=performance_url, **common)
        sync_performance = create_engine(performance_url)
        with Session(sync_performance) as session, session.begin():
            queued = sweep_deadlines(session, today=dt.date.today(), due_soon_days=3)
        sync_performance.dispose()
        print(
            f"performance: {n:,} employees, cycle launched, self review due tomorrow, "
            f"{queued:,} review.due_soon queued in {time.perf_counter() - started:.1f} s"
        )
        notifier_engine = create_engine(notifier_url)
        with Session(notifier_engine) as session, session.begin():
            copy_into(session, cast(Table, EmployeeProjection.__table__), people)
        with notifier_engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

        stop = threading.Event()
        relay = Worker(performance, tables=performance_messaging)
        threads = [start(relay, stop)]
        relay_s = wait_until(lambda: total(relay, "talent_outbox_backlog") == 0)
        print(
            f"performance relay: backlog -> 0 in {relay_s:.1f} s "
            f"({queued / relay_s:,.0f} due-soon events/s)"
        )

        # Baseline: the same topic through the consumer loop and the inbox only.
        baseline_url = stack.enter_context(migrated_database(admin, "notifier", suffix="_baseline"))
        bare = HandlerRegistry()
        bare.on_batch(ReviewDueSoon)(nothing)
        baseline = Worker(
            NotifierSettings(database_url=baseline_url, service_name="notifierbase", **common),
            tables=notifier_messaging,
            registry=bare,
            consumes=[service_topic("performance")],
        )
        baseline_stop = threading.Event()
        thread = start(baseline, baseline_stop)
        base_s = wait_until(
            lambda: (
                total(baseline, "talent_consumer_records_total") >= queued
                and total(baseline, "talent_consumer_lag") == 0
            )
        )
        baseline_stop.set()
        thread.join(timeout=60)
        print(
            f"baseline, consumer loop + inbox, no handler work: {queued:,} events in "
            f"{base_s:.1f} s ({queued / base_s:,.0f} events/s, group join included)"
        )

        # The notifier's worker: its real registry; the delivery jobs wait (SMTP is
        # measured on its own below).
        settings = NotifierSettings(
            database_url=notifier_url,
            email_delivery_interval_s=86_400,
            webhook_delivery_interval_s=86_400,
            digest_interval_s=86_400,
            **common,
        )
        worker = Worker(
            settings,
            tables=notifier_messaging,
            registry=notifier_registry,
            consumes=[service_topic("performance")],
        )

        def ledger_rows() -> int:
            with Session(notifier_engine) as session:
                return int(session.scalar(select(func.count()).select_from(Delivery)) or 0)

        notifier_stop = threading.Event()
        thread = start(worker, notifier_stop)
        started = time.perf_counter()
        first_row: float | None = None
        while True:
            rows = ledger_rows()
            if first_row is None and rows:
                first_row = time.perf_counter() - started
            if (
                total(worker, "talent_consumer_records_total") >= queued
                and total(worker, "talent_consumer_lag") == 0
            ):
                break
            if time.perf_counter() - started > 3600:
                raise TimeoutError("the notifier did not drain")
            time.sleep(0.2)
        notifier_s = time.perf_counter() - started
        rows = ledger_rows()
        notifier_stop.set()
        thread.join(timeout=60)
        print(
            f"notifier worker: {queued:,} events -> {rows:,} ledger rows in {notifier_s:.1f} s "
            f"from its start (group join included; first row after {first_row or 0:.1f} s): "
            f"**{rows / notifier_s:,.0f} rows/s** into the ledger, "
            f"{queued / notifier_s:,.0f} events/s, {queued / notifier_s / (queued / base_s):.2f}x "
            f"the baseline (target 1,000 rows/s)"
        )
        if first_row is not None:
            print(f"  from the first ledger row: {rows / (notifier_s - first_row):,.0f} rows/s")

        # SMTP: the email delivery job against a local MailDev.
        catcher = MailCatcher(mail_dir=log_dir / "mail", log_path=log_dir / "maildev.log")
        catcher.start()
        stack.callback(catcher.stop)
        smtp = settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": catcher.smtp_port}
        )
        sent = 0
        started = time.perf_counter()
        while sent < sends:
            run = drain(
                notifier_engine,
                lambda session: deliver_email(session, smtp),
                batch_size=smtp.email_batch_size,
                max_batches=max(1, (sends - sent) // smtp.email_batch_size),
            )
            if not run.handled:
                break
            sent += run.sent
        smtp_s = time.perf_counter() - started
        with Session(notifier_engine) as session:
            failed = session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.channel == Channel.EMAIL, Delivery.status == DeliveryStatus.FAILED)
            )
        print(
            f"SMTP: {sent:,} emails sent to MailDev by the email delivery job in {smtp_s:.1f} s "
            f"(**{sent / smtp_s:,.0f} emails/s**, batches of {smtp.email_batch_size}, "
            f"one connection per batch; {failed} failed)"
        )
        notifier_engine.dispose()
        stop.set()
        for t in threads:
            t.join(timeout=30)
    shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(arguments[0]) if arguments else 10_000
    sends = 2_000
    if "--sends" in sys.argv:
        sends = int(sys.argv[sys.argv.index("--sends") + 1])
        arguments = [a for a in arguments if a != str(sends)]
    main(count, sends)
