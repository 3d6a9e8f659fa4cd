"""People's relay and learning's consumer across a broker restart, on a real Tansu.

The broker (memory storage) loses every topic, record and consumer offset when it
restarts. The relay must carry on publishing, and `replay` (republishing people's outbox
history with the original ce_ids) must bring learning's projection back to exactly
people's reporting lines, with the inbox skipping everything already applied.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from talent_contracts import service_topic
from talent_devtools.broker import TansuBroker
from talent_devtools.testing import ServiceDatabaseFactory, wait_for
from talent_learning.config import LearningSettings
from talent_learning.db import messaging as learning_messaging
from talent_learning.people.consumers import registry
from talent_learning.people.models import EmployeeProjection
from talent_people.config import PeopleSettings
from talent_people.db import messaging as people_messaging
from talent_people.employees.models import Employee
from talent_people.imports.service import run_import
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url, sync_url
from talent_platform.events import EventConsumer, OutboxRelay, replay_outbox

ROOT = Path(__file__).parents[2]
ADMIN = Principal(subject="test", employee_id=None, roles=frozenset({Role.ADMIN}))
HEADER = "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"


def org(n: int, *, boss_of: Callable[[int], int]) -> str:
    rows = [
        f"E{i},Person {i},p{i}@example.com,2020-01-01,,Unit,City,{'' if i == 0 else f'E{boss_of(i)}'},active"
        for i in range(n)
    ]
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def broker() -> Iterator[TansuBroker]:
    with TansuBroker() as b:
        yield b


def import_file(url: str, data: str) -> None:
    async def run() -> None:
        engine = create_async_engine(async_url(url))
        async with AsyncSession(engine) as session, session.begin():
            await run_import(session, ADMIN, "employees", data)
        await engine.dispose()

    asyncio.run(run())


def people_lines(engine: Engine) -> dict[uuid.UUID, uuid.UUID | None]:
    with engine.connect() as conn:
        return {
            employee_id: manager_id
            for employee_id, manager_id in conn.execute(
                select(Employee.id, Employee.manager_id)
            ).all()
        }


def outbox_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(people_messaging.outbox)).scalar_one()
        )


def learning_lines(engine: Engine) -> dict[uuid.UUID, uuid.UUID | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(EmployeeProjection.employee_id, EmployeeProjection.manager_id)
        ).all()
    return {employee_id: manager_id for employee_id, manager_id in rows}


def test_replay_restores_learning_projection_after_the_broker_loses_everything(
    service_database: ServiceDatabaseFactory, broker: TansuBroker
) -> None:
    people_url = service_database("people_broker_loss", ROOT / "services/people/alembic.ini")
    learning_url = service_database("learning_broker_loss", ROOT / "services/learning/alembic.ini")
    prefix = f"loss{uuid.uuid4().hex[:6]}."
    people = PeopleSettings(
        environment="test",
        database_url=people_url,
        topic_prefix=prefix,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        outbox_poll_interval_s=0.2,
    )
    learning = LearningSettings(
        environment="test",
        database_url=learning_url,
        topic_prefix=prefix,
        kafka_bootstrap_servers=broker.bootstrap_servers,
    )
    people_engine = create_engine(sync_url(people_url))
    learning_engine = create_engine(sync_url(learning_url))
    stop = threading.Event()
    relay = OutboxRelay(people, engine=people_engine, outbox=people_messaging.outbox)
    consumer = EventConsumer(
        learning,
        engine=learning_engine,
        inbox=learning_messaging.inbox,
        registry=registry,
        topics=[prefix + service_topic("people")],
    )
    threads = [
        threading.Thread(target=relay.run, args=(stop,), daemon=True),
        threading.Thread(target=consumer.run, args=(stop,), daemon=True),
    ]
    try:
        import_file(people_url, org(40, boss_of=lambda i: (i - 1) // 4))
        for t in threads:
            t.start()
        assert wait_for(lambda: learning_lines(learning_engine) == people_lines(people_engine))

        broker.restart()  # topics, records, groups and offsets are gone
        import_file(people_url, org(40, boss_of=lambda i: (i - 1) // 3))  # many managers change
        written = outbox_rows(people_engine)
        assert written > 40
        assert wait_for(
            lambda: relay.published == written
        )  # every row acknowledged and marked sent

        # Whatever the restart window swallowed, republishing history converges the projection.
        replayed = replay_outbox(people, engine=people_engine, outbox=people_messaging.outbox)
        assert replayed == relay.published
        converged = wait_for(lambda: learning_lines(learning_engine) == people_lines(people_engine))
        assert converged, f"projection differs after replay; consumer {consumer.stats}"
        assert consumer.stats.duplicates > 0  # the inbox skipped what had been applied
        assert consumer.stats.dead_lettered == 0
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
        people_engine.dispose()
        learning_engine.dispose()
