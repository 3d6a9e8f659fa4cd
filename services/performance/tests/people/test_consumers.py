"""The projection of people's data, fed by people's events, and how those events adjust
a running cycle."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from typing import Any

from kafka import KafkaProducer
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, dlq_topic, parse_payload, service_topic
from talent_contracts.people import (
    CompetencyUpdated,
    EmployeeHired,
    EmployeeSnapshot,
    EmployeeTerminated,
    EmployeeTransferred,
    EmployeeUpdated,
    JobProfileUpdated,
    RequirementSnapshot,
)
from talent_contracts.performance import ReviewAssigned, ReviewCancelled
from talent_devtools.broker import create_topics
from talent_performance.config import PerformanceSettings
from talent_performance.cycles.models import DEFAULT_SCALE, ReviewCycle
from talent_performance.cycles.population import insert_review_competencies, insert_reviews
from talent_performance.db import messaging
from talent_performance.people.consumers import registry
from talent_performance.people.models import (
    CompetencyProjection,
    EmployeeProjection,
    JobProfileRequirement,
)
from talent_performance.reviews.models import Review, ReviewCompetency
from talent_platform.events import Envelope, EventConsumer, encode

MINUTE = dt.timedelta(minutes=1)


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
    session.flush()


def hire(session: Session, snap: EmployeeSnapshot) -> None:
    deliver(session, EmployeeHired(employee_id=snap.employee_id, employee=snap))


def transfer(session: Session, snap: EmployeeSnapshot) -> None:
    deliver(
        session,
        EmployeeTransferred(
            employee_id=snap.employee_id,
            employee=snap,
            previous_manager_id=None,
            previous_job_profile_code=None,
            effective_on=dt.date(2026, 2, 1),
        ),
    )


def analyst_profile(session: Session, *codes: str) -> None:
    deliver(
        session,
        JobProfileUpdated(
            code="analyst",
            title="Analyst",
            family="Finance",
            level=2,
            requirements=tuple(
                RequirementSnapshot(competency_code=c, required_level=3, importance=4)
                for c in codes
            ),
        ),
    )


def running_cycle(session: Session, *, org_units: list[str]) -> ReviewCycle:
    """A cycle launched for `org_units`, as CycleService.launch leaves it."""
    cycle = ReviewCycle(
        id=uuid.uuid4(),
        code=f"C-{uuid.uuid4().hex[:6]}",
        name="Annual",
        kind="annual",
        status="active",
        phase="self_review",
        org_unit_codes=org_units,
        job_profile_codes=[],
        scale_labels=list(DEFAULT_SCALE),
        created_by="hr",
    )
    session.add(cycle)
    session.flush()
    session.execute(insert_reviews(cycle))
    session.execute(insert_review_competencies(cycle))
    return cycle


def reviews(session: Session, cycle: ReviewCycle, employee_id: uuid.UUID) -> dict[str, Review]:
    found = session.scalars(
        select(Review).where(Review.cycle_id == cycle.id, Review.employee_id == employee_id)
    ).all()
    for r in found:
        session.refresh(r)
    return {r.kind: r for r in found}


def test_a_hire_projects_what_cycles_and_authorization_need(sync_session: Session) -> None:
    boss = snapshot("E1")
    ada = snapshot("E100", manager=boss.employee_id, hire_date=dt.date(2025, 9, 1))
    hire(sync_session, boss)
    hire(sync_session, ada)

    row = sync_session.get(EmployeeProjection, ada.employee_id)

    assert row is not None
    assert (row.manager_id, row.org_unit_code, row.job_profile_code, row.hire_date) == (
        boss.employee_id,
        "finance",
        "analyst",
        dt.date(2025, 9, 1),
    )


def test_a_stale_event_does_not_overwrite_a_newer_state(sync_session: Session) -> None:
    now = dt.datetime.now(dt.UTC)
    ada = snapshot("E100")
    deliver(sync_session, EmployeeHired(employee_id=ada.employee_id, employee=ada), at=now)
    moved = snapshot("E100", org_unit_code="sales")
    transfer_event = EmployeeTransferred(
        employee_id=ada.employee_id,
        employee=moved,
        previous_manager_id=None,
        previous_job_profile_code=None,
        effective_on=dt.date(2026, 2, 1),
    )
    deliver(sync_session, transfer_event, at=now - dt.timedelta(hours=1))

    row = sync_session.get(EmployeeProjection, ada.employee_id)
    assert row is not None
    sync_session.refresh(row)
    assert row.org_unit_code == "finance"


def test_job_profile_updates_replace_the_requirements(sync_session: Session) -> None:
    analyst_profile(sync_session, "excel", "sql")
    analyst_profile(sync_session, "sql", "python")

    codes = sync_session.scalars(
        select(JobProfileRequirement.competency_code)
        .where(JobProfileRequirement.job_profile_code == "analyst")
        .order_by(JobProfileRequirement.competency_code)
    ).all()

    assert list(codes) == ["python", "sql"]


def test_competencies_are_projected_with_their_names(sync_session: Session) -> None:
    deliver(
        sync_session,
        CompetencyUpdated(code="sql", name="SQL", tier="functional", description=""),
    )

    found = sync_session.get(CompetencyProjection, "sql")
    assert found is not None and (found.name, found.tier) == ("SQL", "functional")


def test_a_hire_into_a_running_cycles_population_gets_reviews(sync_session: Session) -> None:
    analyst_profile(sync_session, "excel", "sql")
    boss = snapshot("E1")
    hire(sync_session, boss)
    cycle = running_cycle(sync_session, org_units=["finance"])
    outsider = snapshot("E300", org_unit_code="sales")
    ada = snapshot("E100", manager=boss.employee_id)

    hire(sync_session, ada)
    hire(sync_session, outsider)

    found = reviews(sync_session, cycle, ada.employee_id)
    assert {k: (r.reviewer_id, r.status) for k, r in found.items()} == {
        "self": (ada.employee_id, "draft"),
        "manager": (boss.employee_id, "draft"),
    }
    rated = sync_session.scalars(
        select(ReviewCompetency.competency_code).where(
            ReviewCompetency.review_id == found["manager"].id
        )
    ).all()
    assert sorted(rated) == ["excel", "sql"]
    assert reviews(sync_session, cycle, outsider.employee_id) == {}


def test_transfers_and_terminations_adjust_a_running_cycle(sync_session: Session) -> None:
    boss, new_boss = snapshot("E1"), snapshot("E2")
    ada = snapshot("E100", manager=boss.employee_id)
    bob = snapshot("E101", manager=boss.employee_id)
    for person in (boss, new_boss, ada, bob):
        hire(sync_session, person)
    cycle = running_cycle(sync_session, org_units=["finance"])

    transfer(sync_session, snapshot("E100", manager=new_boss.employee_id))
    deliver(
        sync_session,
        EmployeeTerminated(
            employee_id=bob.employee_id,
            employee=snapshot("E101", manager=boss.employee_id, status="terminated"),
            terminated_on=dt.date(2026, 2, 1),
        ),
    )

    assert reviews(sync_session, cycle, ada.employee_id)["manager"].reviewer_id == (
        new_boss.employee_id
    )
    assert {r.status for r in reviews(sync_session, cycle, bob.employee_id).values()} == {
        "cancelled"
    }
    terminated = sync_session.get(EmployeeProjection, bob.employee_id)
    assert terminated is not None and terminated.terminated_on == dt.date(2026, 2, 1)

    transfer(sync_session, snapshot("E100", manager=new_boss.employee_id, org_unit_code="sales"))
    assert {r.status for r in reviews(sync_session, cycle, ada.employee_id).values()} == {
        "cancelled"
    }
    transfer(sync_session, snapshot("E100", manager=new_boss.employee_id))
    assert {r.status for r in reviews(sync_session, cycle, ada.employee_id).values()} == {"draft"}


def events_of(session: Session, event_type: type[EventPayload]) -> list[Any]:
    rows = session.execute(
        select(messaging.outbox.c.payload)
        .where(messaging.outbox.c.event_type == event_type.event_type)
        .order_by(messaging.outbox.c.id)
    ).scalars()
    return [parse_payload(event_type.event_type, bytes(p)) for p in rows]


def test_population_changes_publish_each_review_assigned_or_cancelled(
    sync_session: Session,
) -> None:
    boss, new_boss = snapshot("E1"), snapshot("E2")
    ada = snapshot("E100", manager=boss.employee_id)
    for person in (boss, new_boss, ada):
        hire(sync_session, person)
    cycle = running_cycle(sync_session, org_units=["finance"])
    carl = snapshot("E102", manager=boss.employee_id)

    hire(sync_session, carl)
    transfer(sync_session, snapshot("E100", manager=new_boss.employee_id))
    renamed = snapshot("E100", manager=new_boss.employee_id, name="Ada L.")
    deliver(
        sync_session,
        EmployeeUpdated(employee_id=ada.employee_id, employee=renamed, changed_fields=("name",)),
    )
    transfer(sync_session, snapshot("E100", manager=new_boss.employee_id, org_unit_code="sales"))

    assigned = [
        (e.employee_id, e.kind, e.reviewer_id, e.reason, e.phase)
        for e in events_of(sync_session, ReviewAssigned)
    ]
    assert assigned == [
        (carl.employee_id, "self", carl.employee_id, "population", "self_review"),
        (carl.employee_id, "manager", boss.employee_id, "population", "manager_review"),
        # the new manager takes the draft over; the update that changes nothing publishes
        # nothing
        (ada.employee_id, "manager", new_boss.employee_id, "population", "manager_review"),
    ]
    cancelled = events_of(sync_session, ReviewCancelled)
    assert {(e.employee_id, e.cycle_code) for e in cancelled} == {(ada.employee_id, cycle.code)}
    assert len(cancelled) == 2


def test_a_hire_people_publishes_on_the_broker_reaches_the_projection(
    sync_engine: Engine, kafka_bootstrap: str
) -> None:
    settings = PerformanceSettings(
        environment="test",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
    )
    topic = settings.topic_prefix + service_topic("people")
    create_topics(kafka_bootstrap, [topic, dlq_topic(topic)])
    ada = snapshot("T-200", hire_date=dt.date(2024, 2, 1))
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
    hired: dt.date | None = None
    try:
        deadline = time.monotonic() + 30
        while hired is None and time.monotonic() < deadline:
            with sync_engine.connect() as connection:
                hired = connection.execute(
                    select(EmployeeProjection.hire_date).where(
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

    assert hired == dt.date(2024, 2, 1)
    assert consumer.stats.processed == 1


def test_new_requirements_join_the_draft_reviews_of_a_running_cycle(sync_session: Session) -> None:
    analyst_profile(sync_session, "excel")
    ada = snapshot("E100")
    hire(sync_session, ada)
    cycle = running_cycle(sync_session, org_units=["finance"])

    analyst_profile(sync_session, "excel", "sql")

    own = reviews(sync_session, cycle, ada.employee_id)["self"]
    rated = sync_session.scalars(
        select(ReviewCompetency.competency_code).where(ReviewCompetency.review_id == own.id)
    ).all()
    assert sorted(rated) == ["excel", "sql"]


def performance_state(session: Session) -> dict[str, list[Any]]:
    session.expire_all()
    return {
        "employees": list(
            session.execute(
                select(
                    EmployeeProjection.employee_id,
                    EmployeeProjection.status,
                    EmployeeProjection.manager_id,
                    EmployeeProjection.org_unit_code,
                    EmployeeProjection.terminated_on,
                    EmployeeProjection.updated_at,
                ).order_by(EmployeeProjection.employee_id)
            ).all()
        ),
        "reviews": sorted(
            session.execute(
                select(Review.employee_id, Review.kind, Review.reviewer_id, Review.status)
            ).all()
        ),
        "competencies": sorted(
            session.execute(
                select(Review.employee_id, Review.kind, ReviewCompetency.competency_code).join(
                    ReviewCompetency, ReviewCompetency.review_id == Review.id
                )
            ).all()
        ),
    }


def test_a_batch_of_employee_events_does_what_they_do_one_by_one(sync_session: Session) -> None:
    s = sync_session
    analyst_profile(s, "excel", "modelling")
    boss, new_boss = snapshot("B1"), snapshot("B2")
    ada = snapshot("B100", manager=boss.employee_id)
    bob = snapshot("B101", manager=boss.employee_id)
    for person in (boss, new_boss, ada, bob):
        hire(s, person)
    running_cycle(s, org_units=["finance"])
    cy = snapshot("B102", manager=boss.employee_id)
    base = dt.datetime.now(dt.UTC)
    payloads: list[EventPayload] = [
        EmployeeHired(employee_id=cy.employee_id, employee=cy),
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=snapshot("B100", manager=new_boss.employee_id),
            previous_manager_id=boss.employee_id,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2026, 2, 1),
        ),
        EmployeeTerminated(
            employee_id=bob.employee_id,
            employee=snapshot("B101", manager=boss.employee_id, status="terminated"),
            terminated_on=dt.date(2026, 2, 1),
        ),
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=snapshot("B100", manager=new_boss.employee_id, org_unit_code="sales"),
            previous_manager_id=new_boss.employee_id,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2026, 3, 1),
        ),
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=snapshot("B100", manager=boss.employee_id),
            previous_manager_id=new_boss.employee_id,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2026, 4, 1),
        ),
        EmployeeHired(employee_id=cy.employee_id, employee=cy),  # stale: older than the first
    ]
    items = [
        (p, dataclasses.replace(Envelope.for_payload(p, service="people"), time=base + i * MINUTE))
        for i, p in enumerate(payloads)
    ]
    items[-1] = (items[-1][0], dataclasses.replace(items[-1][1], time=base - MINUTE))

    one_by_one = s.begin_nested()
    for item in items:
        registry.apply(s, [item])
    expected = performance_state(s)
    one_by_one.rollback()
    batch = s.begin_nested()
    registry.apply(s, items)
    got = performance_state(s)
    batch.rollback()

    assert got == expected
    statuses = {(r[0], r[1]): (r[2], r[3]) for r in expected["reviews"]}
    assert statuses[(ada.employee_id, "manager")] == (boss.employee_id, "draft")
    assert statuses[(bob.employee_id, "self")][1] == "cancelled"
    assert statuses[(cy.employee_id, "self")] == (cy.employee_id, "draft")
    assert (cy.employee_id, "self", "excel") in expected["competencies"]
