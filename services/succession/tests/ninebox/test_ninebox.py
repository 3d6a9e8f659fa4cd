"""The 9-box: calibrated ratings consumed from performance, grids and movement."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from typing import Any

from kafka import KafkaProducer
from sqlalchemy import Engine, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import dlq_topic, service_topic
from talent_contracts.performance import RatingCalibrated
from talent_devtools.broker import create_topics
from talent_platform.auth import Role
from talent_platform.events import Envelope, EventConsumer, encode
from talent_succession.config import SuccessionSettings
from talent_succession.consumers import registry
from talent_succession.db import messaging
from talent_succession.ninebox.models import CurrentPlacement
from talent_succession.ninebox.placements import refresh_placements
from talent_succession.people.models import EmployeeProjection
from talent_succession.potential.models import PotentialAssessment
from talent_succession.ratings.models import CalibratedRating

from ..factories import (
    HR_LEADER,
    deliver,
    employee_fields,
    execute,
    make_employee,
    make_key_role,
    nominate,
    principal,
    refused,
    run,
)


def rating(employee_id: uuid.UUID, value: int, on: str, cycle: str) -> RatingCalibrated:
    return RatingCalibrated(
        employee_id=employee_id,
        cycle_id=None,
        cycle_code=cycle,
        overall_rating=value,
        previous_rating=None,
        rated_on=dt.date.fromisoformat(on),
    )


async def rate(session: AsyncSession, employee: EmployeeProjection, value: int, on: str) -> None:
    session.add(
        CalibratedRating(
            employee_id=employee.employee_id,
            cycle_code=f"FY{on[:4]}",
            overall_rating=value,
            rated_on=dt.date.fromisoformat(on),
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    await session.flush()


async def assess(
    session: AsyncSession, employee: EmployeeProjection, potential: str, on: str
) -> None:
    day = dt.date.fromisoformat(on)
    session.add(
        PotentialAssessment(
            employee_id=employee.employee_id,
            potential=potential,
            assessed_on=day,
            review_by=day + dt.timedelta(days=365),
            recorded_by="test",
        )
    )
    await session.flush()


def cells(grid: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(c["performance"], c["potential"]): c["count"] for c in grid["cells"] if c["count"]}


GRID = "group total cells { performance potential count }"


def test_a_later_calibration_of_the_same_cycle_replaces_the_rating(sync_session: Session) -> None:
    ada = uuid.uuid4()
    now = dt.datetime.now(dt.UTC)
    deliver(sync_session, rating(ada, 3, "2026-03-01", "FY25"), service="performance", at=now)
    deliver(
        sync_session,
        rating(ada, 4, "2026-03-05", "FY25"),
        service="performance",
        at=now + dt.timedelta(seconds=1),
    )
    deliver(
        sync_session,
        rating(ada, 2, "2026-03-01", "FY25"),
        service="performance",
        at=now - dt.timedelta(hours=1),
    )
    stored = sync_session.scalars(
        select(CalibratedRating.overall_rating).where(CalibratedRating.employee_id == ada)
    ).all()
    assert stored == [4]


def test_a_rating_performance_publishes_on_the_broker_is_recorded(
    sync_engine: Engine, kafka_bootstrap: str
) -> None:
    settings = SuccessionSettings(
        environment="test",
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
    )
    topic = settings.topic_prefix + service_topic("performance")
    create_topics(kafka_bootstrap, [topic, dlq_topic(topic)])
    ada = uuid.uuid4()
    encoded = encode(
        Envelope.for_payload(rating(ada, 5, "2026-03-01", "FY25"), service="performance")
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
        found = None
        while found is None and time.monotonic() < deadline:
            with sync_engine.connect() as connection:
                found = connection.execute(
                    select(CalibratedRating.overall_rating).where(
                        CalibratedRating.employee_id == ada
                    )
                ).scalar_one_or_none()
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=15)
        with sync_engine.begin() as connection:
            connection.execute(delete(messaging.inbox))
            connection.execute(delete(CalibratedRating).where(CalibratedRating.employee_id == ada))
            connection.execute(delete(CurrentPlacement).where(CurrentPlacement.employee_id == ada))
    assert found == 5


async def test_grids_per_org_unit_and_slate(session: AsyncSession) -> None:
    star = await make_employee(session, number="E1", org_unit="finance")
    steady = await make_employee(session, number="E2", org_unit="finance")
    rookie = await make_employee(session, number="E3", org_unit="sales")
    unrated = await make_employee(session, number="E4", org_unit="sales")
    gone = await make_employee(session, number="E5", org_unit="sales", status="terminated")
    for who, value, potential in (
        (star, 5, "high"),
        (steady, 3, "medium"),
        (rookie, 2, "high"),
        (gone, 5, "high"),
    ):
        await rate(session, who, value, "2026-03-01")
        await assess(session, who, potential, "2026-03-01")
    await assess(session, unrated, "high", "2026-03-01")
    await make_key_role(session, code="CFO")
    await nominate(
        session, keyRoleCode="CFO", employeeId=str(star.employee_id), readiness="READY_NOW"
    )
    await nominate(
        session, keyRoleCode="CFO", employeeId=str(rookie.employee_id), readiness="READY_NOW"
    )

    data = await execute(
        session,
        f"""{{
          nineBox(asOf: "2026-06-01") {{ {GRID} }}
          finance: nineBox(asOf: "2026-06-01", orgUnitCode: "finance") {{ {GRID} }}
          nineBoxByOrgUnit(asOf: "2026-06-01") {{ {GRID} }}
          nineBoxBySlate(asOf: "2026-06-01", keyRoleCodes: ["CFO"]) {{ {GRID} }}
        }}""",
        as_=HR_LEADER,
    )

    org = data["nineBox"]
    assert (org["group"], org["total"], len(org["cells"])) == (None, 3, 9)
    assert cells(org) == {("HIGH", "HIGH"): 1, ("MEDIUM", "MEDIUM"): 1, ("LOW", "HIGH"): 1}
    assert cells(data["finance"]) == {("HIGH", "HIGH"): 1, ("MEDIUM", "MEDIUM"): 1}
    assert [(g["group"], cells(g)) for g in data["nineBoxByOrgUnit"]] == [
        ("finance", {("HIGH", "HIGH"): 1, ("MEDIUM", "MEDIUM"): 1}),
        ("sales", {("LOW", "HIGH"): 1}),
    ]
    assert [(g["group"], cells(g)) for g in data["nineBoxBySlate"]] == [
        ("CFO", {("HIGH", "HIGH"): 1, ("LOW", "HIGH"): 1})
    ]
    before = await execute(
        session, f'{{ nineBox(asOf: "2026-01-01") {{ {GRID} }} }}', as_=HR_LEADER
    )
    assert before["nineBox"]["total"] == 0

    placed = await employee_fields(
        session,
        star.employee_id,
        'nineBox(asOf: "2026-06-01") { performance potential }',
        as_=HR_LEADER,
    )
    assert placed == {"nineBox": {"performance": "HIGH", "potential": "HIGH"}}
    own = await employee_fields(
        session, star.employee_id, "nineBox { performance }", as_=principal(star, Role.HR_LEADER)
    )
    assert own == {"nineBox": None}


async def test_movement_between_two_days(session: AsyncSession) -> None:
    riser = await make_employee(session, number="E1")
    faller = await make_employee(session, number="E2")
    newcomer = await make_employee(session, number="E3")
    await rate(session, riser, 3, "2025-03-01")
    await assess(session, riser, "medium", "2025-03-01")
    await rate(session, riser, 5, "2026-03-01")
    await assess(session, riser, "high", "2026-03-01")
    await rate(session, faller, 4, "2025-03-01")
    await assess(session, faller, "high", "2025-03-01")
    await rate(session, faller, 2, "2026-03-01")
    await rate(session, newcomer, 3, "2026-03-01")
    await assess(session, newcomer, "low", "2026-03-01")

    data = await execute(
        session,
        """{ nineBoxMovement(from: "2025-06-01", to: "2026-06-01") {
              from { performance potential } to { performance potential } count } }""",
        as_=HR_LEADER,
    )

    def box(p: dict[str, str] | None) -> tuple[str, str] | None:
        return None if p is None else (p["performance"], p["potential"])

    moves = {(box(m["from"]), box(m["to"])): m["count"] for m in data["nineBoxMovement"]}
    assert moves == {
        (("MEDIUM", "MEDIUM"), ("HIGH", "HIGH")): 1,
        (("HIGH", "HIGH"), ("LOW", "HIGH")): 1,
        (None, ("MEDIUM", "LOW")): 1,
    }
    bad, errors = await run(
        session,
        '{ nineBoxMovement(from: "2026-06-01", to: "2025-06-01") { count } }',
        as_=HR_LEADER,
    )
    assert refused(bad) and "must not be before" in errors[0].message


async def test_managers_get_no_nine_box(session: AsyncSession) -> None:
    boss = await make_employee(session, number="E1")
    data, errors = await run(
        session, "{ nineBox { total } }", as_=principal(boss, Role.EMPLOYEE, Role.MANAGER)
    )
    assert refused(data)
    assert "hr_leader and admin only" in errors[0].message


def test_consumed_ratings_and_assessments_keep_the_current_placement(
    sync_session: Session,
) -> None:
    ada = uuid.uuid4()
    now = dt.datetime.now(dt.UTC)
    deliver(sync_session, rating(ada, 2, "2025-03-01", "FY24"), service="performance", at=now)
    deliver(sync_session, rating(ada, 5, "2026-03-01", "FY25"), service="performance", at=now)
    # A late calibration of the older cycle does not replace the newer rating.
    deliver(sync_session, rating(ada, 3, "2025-03-05", "FY24"), service="performance", at=now)
    current = sync_session.get_one(CurrentPlacement, ada)
    sync_session.refresh(current)
    assert (current.overall_rating, current.rated_on, current.potential) == (
        5,
        dt.date(2026, 3, 1),
        None,
    )


async def test_todays_grid_comes_from_the_current_placements(session: AsyncSession) -> None:
    ada = await make_employee(session, number="E1", org_unit="finance")
    bob = await make_employee(session, number="E2", org_unit="sales")
    for who, value in ((ada, 4), (bob, 1)):
        await rate(session, who, value, "2026-03-01")
        await session.run_sync(refresh_placements, [who.employee_id])
    assess = """mutation ($input: AssessPotentialInput!) {
      assessPotential(input: $input) { __typename } }"""
    for who, potential in ((ada, "MEDIUM"), (bob, "HIGH")):
        assessed = await execute(
            session,
            assess,
            as_=HR_LEADER,
            variables={
                "input": {
                    "employeeId": str(who.employee_id),
                    "potential": potential,
                    "assessedOn": "2026-03-02",
                }
            },
        )
        assert assessed["assessPotential"]["__typename"] == "AssessPotentialPayload"

    data = await execute(
        session, f"{{ nineBox {{ {GRID} }} nineBoxByOrgUnit {{ {GRID} }} }}", as_=HR_LEADER
    )

    assert cells(data["nineBox"]) == {("HIGH", "MEDIUM"): 1, ("LOW", "HIGH"): 1}
    assert [(g["group"], g["total"]) for g in data["nineBoxByOrgUnit"]] == [
        ("finance", 1),
        ("sales", 1),
    ]


def test_a_batch_of_ratings_and_an_import_refresh_the_same_placements_without_deadlock(
    sync_engine: Engine,
) -> None:
    # The consumer applies ratings of many employees in the order they arrive while an
    # import of potential refreshes the same employees: each must wait for the other, never
    # fail. Rounds of both, committed, on the real database.
    people = [uuid.uuid4() for _ in range(100)]
    rounds = 10
    failures: list[BaseException] = []
    consumed = threading.Event()

    def consume() -> None:
        for n in range(rounds):
            order = people[n % 2 :: 2] + people[(n + 1) % 2 :: 2]
            items = []
            for who in reversed(order):
                payload = rating(who, 1 + n % 5, "2026-03-01", f"FY{n}")
                items.append((payload, Envelope.for_payload(payload, service="performance")))
            with Session(sync_engine) as session, session.begin():
                registry.apply(session, items)
        consumed.set()

    def import_potentials() -> None:
        while not consumed.is_set() and not failures:
            with Session(sync_engine) as session, session.begin():
                refresh_placements(session, people)

    def guarded(work: Any) -> None:
        try:
            work()
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
            consumed.set()

    threads = [threading.Thread(target=guarded, args=(w,)) for w in (consume, import_potentials)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        with Session(sync_engine) as session:
            placed = session.scalars(
                select(CurrentPlacement.overall_rating).where(
                    CurrentPlacement.employee_id.in_(people)
                )
            ).all()
    finally:
        with sync_engine.begin() as connection:
            connection.execute(
                delete(CalibratedRating).where(CalibratedRating.employee_id.in_(people))
            )
            connection.execute(
                delete(CurrentPlacement).where(CurrentPlacement.employee_id.in_(people))
            )
    assert failures == []
    assert len(placed) == len(people)
