"""The projection of people's employees, fed by people's events."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import Engine, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, dlq_topic, service_topic
from talent_contracts.people import (
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
    JobProfileUpdated,
)
from talent_devtools.broker import create_topics
from talent_devtools.testing import rollback_session
from talent_learning.config import LearningSettings
from talent_learning.db import messaging
from talent_learning.people.consumers import registry
from talent_learning.people.models import EmployeeProjection
from talent_learning.people.service import can_see_employee
from talent_platform.events import Envelope, EventConsumer, encode

from ..factories import principal


def snapshot(
    number: str, *, manager: uuid.UUID | None = None, **changes: object
) -> EmployeeSnapshot:
    values: dict[str, object] = {
        "employee_id": uuid.uuid5(uuid.NAMESPACE_URL, f"talent-test/{number}"),
        "employee_number": number,
        "name": f"Employee {number}",
        "email": f"{number.lower()}@example.com",
        "hire_date": dt.date(2020, 1, 6),
        "status": "active",
        "job_profile_code": "analyst",
        "org_unit_code": "finance",
        "location": "Lisbon",
        "manager_id": manager,
    }
    values.update(changes)
    return EmployeeSnapshot.model_validate(values)


def deliver(session: Session, payload: EventPayload, *, at: dt.datetime | None = None) -> None:
    """Call the registered handler as the consumer loop does."""
    envelope = Envelope.for_payload(payload, service="people")
    if at is not None:
        envelope = dataclasses.replace(envelope, time=at)
    registry.apply(session, [(payload, envelope)])


def row(session: Session, employee_id: uuid.UUID) -> EmployeeProjection:
    found = session.execute(
        select(EmployeeProjection).where(EmployeeProjection.employee_id == employee_id)
    ).scalar_one()
    session.refresh(found)
    return found


def test_every_employee_event_keeps_the_projection_current(sync_session: Session) -> None:
    boss = snapshot("E1")
    new_boss = snapshot("E2")
    ada = snapshot("E100", manager=boss.employee_id)
    deliver(sync_session, EmployeeHired(employee_id=boss.employee_id, employee=boss))
    deliver(sync_session, EmployeeHired(employee_id=new_boss.employee_id, employee=new_boss))

    deliver(sync_session, EmployeeHired(employee_id=ada.employee_id, employee=ada))
    hired = row(sync_session, ada.employee_id)
    assert (hired.employee_number, hired.name, hired.status, hired.manager_id) == (
        "E100",
        "Employee E100",
        "active",
        boss.employee_id,
    )
    assert (hired.org_unit_code, hired.job_profile_code, hired.location) == (
        "finance",
        "analyst",
        "Lisbon",
    )

    renamed = snapshot("E100", manager=boss.employee_id, name="Ada Lovelace", location="Porto")
    deliver(
        sync_session,
        EmployeeUpdated(
            employee_id=ada.employee_id, employee=renamed, changed_fields=("name", "location")
        ),
    )
    assert (
        row(sync_session, ada.employee_id).name,
        row(sync_session, ada.employee_id).location,
    ) == (
        "Ada Lovelace",
        "Porto",
    )

    moved = renamed.model_copy(
        update={"manager_id": new_boss.employee_id, "job_profile_code": "lead"}
    )
    deliver(
        sync_session,
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=moved,
            previous_manager_id=boss.employee_id,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2024, 7, 1),
        ),
    )
    transferred = row(sync_session, ada.employee_id)
    assert (transferred.manager_id, transferred.job_profile_code) == (new_boss.employee_id, "lead")

    gone = moved.model_copy(update={"status": "terminated"})
    deliver(
        sync_session,
        EmployeeTerminated(
            employee_id=ada.employee_id, employee=gone, terminated_on=dt.date(2025, 1, 31)
        ),
    )
    assert row(sync_session, ada.employee_id).status == "terminated"


def test_a_stale_event_does_not_overwrite_a_newer_state(sync_session: Session) -> None:
    now = dt.datetime.now(dt.UTC)
    ada = snapshot("E100")
    deliver(sync_session, EmployeeHired(employee_id=ada.employee_id, employee=ada), at=now)
    renamed = snapshot("E100", name="Ada Lovelace")
    deliver(
        sync_session,
        EmployeeUpdated(employee_id=ada.employee_id, employee=renamed, changed_fields=("name",)),
        at=now + dt.timedelta(seconds=1),
    )

    # The hire event again, re-driven from a dead-letter topic a minute later than it happened.
    deliver(
        sync_session,
        EmployeeHired(employee_id=ada.employee_id, employee=ada),
        at=now - dt.timedelta(minutes=1),
    )

    assert row(sync_session, ada.employee_id).name == "Ada Lovelace"


def test_the_worker_handles_exactly_the_four_employee_events() -> None:
    assert registry.event_types == {
        EmployeeHired.event_type,
        EmployeeUpdated.event_type,
        EmployeeTransferred.event_type,
        EmployeeTerminated.event_type,
    }
    assert not registry.handles(JobProfileUpdated.event_type)


@pytest.fixture
def consumer(sync_engine: Engine) -> Iterator[EventConsumer]:
    """The real consumer loop's record handling, committing to the test database; the
    rows it writes are deleted afterwards."""
    settings = LearningSettings(environment="test", consumer_retry_backoff_s=0)
    yield EventConsumer(
        settings,
        engine=sync_engine,
        inbox=messaging.inbox,
        registry=registry,
        topics=["talent.people.v1"],
    )
    with sync_engine.begin() as connection:
        connection.execute(delete(messaging.inbox))
        connection.execute(
            delete(EmployeeProjection).where(EmployeeProjection.employee_number.like("T-%"))
        )


def record(payload: EventPayload, offset: int) -> ConsumerRecord:
    encoded = encode(Envelope.for_payload(payload, service="people"))
    return ConsumerRecord(
        "talent.people.v1",
        0,
        -1,
        offset,
        0,
        0,
        encoded.key,
        encoded.value,
        encoded.headers,
        None,
        -1,
        len(encoded.value),
        -1,
    )


async def test_a_transfer_moves_visibility_from_the_old_manager_to_the_new_one(
    consumer: EventConsumer, engine: AsyncEngine
) -> None:
    old_boss, new_boss = snapshot("T-1"), snapshot("T-2")
    ada = snapshot("T-100", manager=old_boss.employee_id)
    hires = [
        EmployeeHired(employee_id=s.employee_id, employee=s) for s in (old_boss, new_boss, ada)
    ]
    for offset, payload in enumerate(hires):
        consumer.handle(record(payload, offset))
    old, new = (
        principal(EmployeeProjection(employee_id=b.employee_id)) for b in (old_boss, new_boss)
    )
    async with rollback_session(engine) as session:
        assert await can_see_employee(session, old, ada.employee_id)
        assert not await can_see_employee(session, new, ada.employee_id)

    transfer = record(
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=ada.model_copy(update={"manager_id": new_boss.employee_id}),
            previous_manager_id=old_boss.employee_id,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2024, 7, 1),
        ),
        3,
    )
    consumer.handle(transfer)
    consumer.handle(transfer)  # redelivered: the inbox skips it

    async with rollback_session(engine) as session:
        assert not await can_see_employee(session, old, ada.employee_id)
        assert await can_see_employee(session, new, ada.employee_id)
    assert (consumer.stats.processed, consumer.stats.duplicates) == (4, 1)


def test_a_hire_people_publishes_on_the_broker_reaches_the_projection(
    sync_engine: Engine, kafka_bootstrap: str
) -> None:
    settings = LearningSettings(
        environment="test",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
    )
    topic = settings.topic_prefix + service_topic("people")
    create_topics(kafka_bootstrap, [topic, dlq_topic(topic)])
    ada = snapshot("T-200")
    encoded = encode(
        Envelope.for_payload(
            EmployeeHired(employee_id=ada.employee_id, employee=ada), service="people"
        )
    )
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=False)
    try:
        producer.send(topic, key=encoded.key, value=encoded.value, headers=encoded.headers).get(10)
    finally:
        producer.close()
    consumer = EventConsumer(
        settings, engine=sync_engine, inbox=messaging.inbox, registry=registry, topics=[topic]
    )
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        number = None
        while number is None and time.monotonic() < deadline:
            with sync_engine.connect() as connection:
                number = connection.execute(
                    select(EmployeeProjection.employee_number).where(
                        EmployeeProjection.employee_id == ada.employee_id
                    )
                ).scalar_one_or_none()
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=15)
        with sync_engine.begin() as connection:
            connection.execute(delete(messaging.inbox))
            connection.execute(
                delete(EmployeeProjection).where(EmployeeProjection.employee_id == ada.employee_id)
            )

    assert number == "T-200"
    assert consumer.stats.processed == 1
