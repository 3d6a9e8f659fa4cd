"""Projections from people, learning and performance events: idempotent and replayable."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.learning import EnrollmentAssigned
from talent_contracts.people import EmployeeTransferred, EmployeeUpdated, JobHistoryRecorded
from talent_contracts.performance import RatingCalibrated
from talent_contracts.succession import PotentialAssessed
from talent_platform.events import Envelope, EventConsumer, encode
from talent_recommender.config import RecommenderSettings
from talent_recommender.db import messaging
from talent_recommender.ingest.consumers import registry
from talent_recommender.ingest.models import (
    Assessment,
    Completion,
    CourseSkill,
    Employee,
    IngestState,
    JobRequirement,
    Rating,
)
from talent_recommender.profiles.models import SkillEstimate, StaleEstimate
from talent_recommender.recommendations.models import CoursePopularity

from ..factories import (
    assessed,
    competency,
    completed,
    course,
    deliver,
    delivery,
    employee_id,
    hired,
    job_profile,
)
from ..world import build_world

TABLES = (Assessment, Completion, CourseSkill, Employee, JobRequirement, Rating, SkillEstimate)


async def count(session: AsyncSession, model: type, **where: object) -> int:
    statement = select(func.count()).select_from(model)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    return int((await session.execute(statement)).scalar_one())


async def test_every_consumed_event_type_has_a_handler() -> None:
    assert {t.split(".")[1] for t in registry.event_types} == {
        "people",
        "learning",
        "performance",
        "succession",
    }
    assert len(registry.event_types) == 21
    assert not registry.single  # every one takes a batch


async def test_redelivered_and_replayed_events_change_nothing(session: AsyncSession) -> None:
    await build_world(session)
    assessment = assessed("E1", "fin-model", 2)
    completion = completed("E1", "FM-3")
    rating = RatingCalibrated(
        employee_id=employee_id("E1"),
        cycle_id=None,
        cycle_code="2025",
        overall_rating=4,
        previous_rating=None,
        rated_on=dt.date(2025, 12, 15),
    )
    await deliver(session, assessment, completion, rating)
    snapshot = [await count(session, t) for t in TABLES]
    popularity = await session.scalar(
        select(CoursePopularity.completions).where(CoursePopularity.course_code == "FM-3")
    )

    # The same facts again (a replay of the outbox history publishes them with new ce_ids).
    await deliver(
        session, assessment, completion, rating, *[hired("E1", profile="analyst", manager="M1")]
    )

    assert [await count(session, t) for t in TABLES] == snapshot
    assert (
        await session.scalar(
            select(CoursePopularity.completions).where(CoursePopularity.course_code == "FM-3")
        )
        == popularity
        == 1
    )


async def test_a_changed_job_profile_recomputes_its_holders(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talent_recommender.profiles import estimates

    await build_world(session)
    recomputed: list[set[uuid.UUID]] = []
    monkeypatch.setattr(
        estimates, "recompute_estimates", lambda _, ids: recomputed.append(set(ids))
    )

    await deliver(
        session, job_profile("analyst", "Financial Analyst", {"fin-model": (5, 5), "excel": (3, 3)})
    )

    assert employee_id("E2") in set().union(*recomputed)
    assert await count(session, JobRequirement, job_profile_code="analyst") == 2


async def test_a_changed_course_recomputes_its_completers(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, completed("E1", "XL-3", score=100))

    await deliver(session, course("XL-3", {"excel": 3, "comms": 2}))

    comms = await session.scalar(
        select(SkillEstimate.level).where(
            SkillEstimate.employee_id == employee_id("E1"),
            SkillEstimate.competency_code == "comms",
        )
    )
    assert comms == 2.0


async def test_events_are_counted_with_their_lag(session: AsyncSession) -> None:
    await build_world(session)
    state = await session.get(IngestState, 1)
    assert state is not None
    await session.refresh(state)
    assert state.events_processed >= 17
    assert state.last_processed_at is not None and state.last_event_time is not None
    assert state.last_processed_at >= state.last_event_time


@pytest.fixture
def consumer(sync_engine: Engine) -> Iterator[EventConsumer]:
    """The real consumer's record handling, committing to the test database; its rows are
    deleted afterwards."""
    yield EventConsumer(
        RecommenderSettings(environment="test", consumer_retry_backoff_s=0),
        engine=sync_engine,
        inbox=messaging.inbox,
        registry=registry,
        topics=["talent.performance.v1"],
    )
    with sync_engine.begin() as connection:
        connection.execute(delete(messaging.inbox))
        for table in ("assessment", "skill_estimate", "stale_estimate", "employee", "ingest_state"):
            connection.execute(text(f"DELETE FROM {table}"))


def record(payload: EventPayload, offset: int, envelope: Envelope | None = None) -> ConsumerRecord:
    encoded = encode(envelope or Envelope.for_payload(payload, service="performance"))
    return ConsumerRecord(
        "talent.performance.v1",
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
        -1,
        -1,
    )


def test_the_consumer_applies_a_duplicate_delivery_once(
    consumer: EventConsumer, sync_engine: Engine
) -> None:
    event = assessed("C1", "excel", 3)
    envelope = Envelope.for_payload(event, service="performance")

    consumer.handle_batch([record(event, 0, envelope), record(event, 1, envelope)])

    with Session(sync_engine) as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 1
        assert session.scalar(select(SkillEstimate.level)) == 3.0
    assert (consumer.stats.processed, consumer.stats.duplicates) == (1, 1)


def test_a_batch_recomputes_its_employees_once_at_its_end(
    consumer: EventConsumer, sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talent_recommender.profiles import estimates

    calls: list[set[uuid.UUID]] = []
    monkeypatch.setattr(estimates, "recompute_estimates", lambda _, ids: calls.append(set(ids)))
    events = [assessed("C1", "excel", 3), assessed("C2", "excel", 2), assessed("C1", "comms", 4)]

    consumer.handle_batch([record(event, offset) for offset, event in enumerate(events)])

    assert calls == [{employee_id("C1"), employee_id("C2")}]
    with Session(sync_engine) as session:
        assert session.scalar(select(func.count()).select_from(Assessment)) == 3
        state = session.get(IngestState, 1)
        assert state is not None and state.events_processed == 3


def test_no_commit_outside_a_batch_recomputes_estimates(
    sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Estimates are an explicit end-of-batch step, not a hook on every session's commit
    (request code and refits commit without it)."""
    from talent_recommender.profiles import estimates

    calls: list[set[uuid.UUID]] = []
    monkeypatch.setattr(estimates, "recompute_estimates", lambda _, ids: calls.append(set(ids)))
    with Session(sync_engine) as session, session.begin():
        estimates.mark_stale(session, [uuid.uuid4()])

    assert calls == []


def marked(engine: Engine) -> set[uuid.UUID]:
    with Session(engine) as session:
        return set(session.scalars(select(StaleEstimate.employee_id)))


def estimated(engine: Engine) -> dict[uuid.UUID, int]:
    """Evidence readings behind each employee's stored estimates."""
    with Session(engine) as session:
        rows = session.execute(
            select(SkillEstimate.employee_id, func.sum(SkillEstimate.evidence_count)).group_by(
                SkillEstimate.employee_id
            )
        )
        return {e: int(n) for e, n in rows}


def test_a_few_employees_are_recomputed_before_their_batch_commits(
    consumer: EventConsumer, sync_engine: Engine
) -> None:
    consumer.handle_batch([record(assessed("C1", "excel", 3), 0)])

    assert estimated(sync_engine) == {employee_id("C1"): 1}
    assert marked(sync_engine) == set()


def test_a_burst_leaves_its_employees_marked_for_the_estimates_job(
    consumer: EventConsumer, sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talent_recommender.profiles import estimates

    monkeypatch.setattr(estimates, "inline_max", lambda: 2)
    people = [employee_id(n) for n in ("C1", "C2", "C3")]
    events = [assessed(n, "excel", 3) for n in ("C1", "C2", "C3")] + [assessed("C1", "comms", 2)]

    consumer.handle_batch([record(event, offset) for offset, event in enumerate(events)])

    assert (estimated(sync_engine), marked(sync_engine)) == ({}, set(people))
    assert estimates.recompute_marked(sync_engine, chunk=2) == 3
    assert estimated(sync_engine) == {people[0]: 2, people[1]: 1, people[2]: 1}
    assert marked(sync_engine) == set()


def test_a_mark_made_while_the_job_recomputes_that_employee_is_kept(
    consumer: EventConsumer, sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The job has recomputed C1 from the evidence it could see and still holds C1's mark
    # when a batch brings new evidence of C1: the batch marks C1 again after the job's
    # commit, so the new evidence is not left out of C1's estimates for good.
    from talent_recommender.profiles import estimates

    monkeypatch.setattr(estimates, "inline_max", lambda: 0)
    consumer.handle_batch([record(assessed("C1", "excel", 3), 0)])
    recompute = estimates.recompute_estimates
    computed, release = threading.Event(), threading.Event()

    def recompute_then_wait(session: Session, ids: Any) -> None:
        recompute(session, ids)
        computed.set()
        release.wait(30)

    monkeypatch.setattr(estimates, "recompute_estimates", recompute_then_wait)
    job = threading.Thread(target=estimates.recompute_marked, args=(sync_engine,))
    job.start()
    assert computed.wait(30)
    batch = threading.Thread(
        target=consumer.handle_batch, args=([record(assessed("C1", "comms", 4), 1)],)
    )
    batch.start()
    batch.join(1.0)  # it waits for the job's lock on C1's mark
    release.set()
    job.join(30)
    batch.join(30)
    monkeypatch.setattr(estimates, "recompute_estimates", recompute)
    estimates.recompute_marked(sync_engine)

    assert estimated(sync_engine) == {employee_id("C1"): 2}
    assert marked(sync_engine) == set()


def recommender_state(session: Session) -> dict[str, list[Any]]:
    """Every projection these events touch, without clocks of the apply itself."""
    queries = {
        "employee": "SELECT employee_id, status, job_profile_code, in_role_since, updated_at"
        " FROM employee ORDER BY 1",
        "job_history": "SELECT * FROM job_history ORDER BY 1, 2, 3",
        "completion": "SELECT * FROM completion ORDER BY 1",
        "assessment": "SELECT * FROM assessment ORDER BY 1",
        "rating": "SELECT * FROM rating ORDER BY 1, 2",
        "performance_summary": "SELECT * FROM performance_summary ORDER BY 1",
        "potential": "SELECT * FROM potential ORDER BY 1",
        "course_skill": "SELECT * FROM course_skill ORDER BY 1, 2",
        "job_requirement": "SELECT * FROM job_requirement ORDER BY 1, 2",
        "job_profile": "SELECT code, title, family, level FROM job_profile ORDER BY 1",
        "enrollment": "SELECT enrollment_id, closed_as, closed_at, assigned_at FROM enrollment"
        " ORDER BY 1",
        "course_popularity": "SELECT job_profile_code, course_code, completions"
        " FROM course_popularity ORDER BY 1, 2",
        "skill_estimate": "SELECT employee_id, competency_code, round(level::numeric, 6),"
        " round(confidence::numeric, 6), evidence_count FROM skill_estimate ORDER BY 1, 2",
        "ingest_state": "SELECT events_processed, last_event_time FROM ingest_state",
    }
    return {name: list(session.execute(text(sql)).all()) for name, sql in queries.items()}


def test_a_batch_leaves_what_its_events_leave_one_by_one(sync_session: Session) -> None:
    s = sync_session
    base = dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC)
    world = [
        competency("excel"),
        competency("comms"),
        job_profile("analyst", "Analyst", {"excel": (3, 3), "comms": (2, 2)}),
        job_profile("lead", "Lead", {"excel": (4, 3), "comms": (4, 4)}),
        course("BATCH-XL", {"excel": 3}),
    ]
    registry.apply(s, [delivery(p, at=base - dt.timedelta(days=1)) for p in world])
    ada, bob = hired("B1"), hired("B2", profile="lead")
    moved = ada.employee.model_copy(update={"job_profile_code": "lead"})
    completion = completed("B1", "BATCH-XL")
    assessment = assessed("B2", "comms", 2)
    enrollment = uuid.uuid4()
    payloads: list[EventPayload] = [
        ada,
        bob,
        JobHistoryRecorded(
            employee_id=ada.employee_id,
            job_profile_code="analyst",
            start_date=dt.date(2019, 1, 1),
            end_date=dt.date(2022, 1, 1),
        ),
        EnrollmentAssigned(
            enrollment_id=enrollment,
            employee_id=ada.employee_id,
            course_code="BATCH-XL",
            due_on=None,
            reason="manager",
            recommendation_id=None,
            plan_action_id=None,
            path_code=None,
            rule_code=None,
        ),
        completion.model_copy(update={"enrollment_id": enrollment}),
        completion,  # the same completion again (a replay)
        assessment,
        assessment.model_copy(update={"level": 4}),  # corrected in the same batch
        assessed("B1", "excel", 2),
        EmployeeTransferred(
            employee_id=ada.employee_id,
            employee=moved,
            previous_manager_id=None,
            previous_job_profile_code="analyst",
            effective_on=dt.date(2025, 6, 1),
        ),
        completed("B1", "BATCH-XL"),  # after the transfer: counted for the new profile
        # The catalogue and a job profile change twice in the same batch (two waves).
        course("BATCH-XL", {"excel": 4, "comms": 2}),
        course("BATCH-CM", {"comms": 3}),
        course("BATCH-XL", {"excel": 5}),
        job_profile("lead", "Team Lead", {"excel": (4, 3)}),
        job_profile("lead", "Lead", {"excel": (5, 3), "comms": (4, 4)}),
        *(
            RatingCalibrated(
                employee_id=bob.employee_id,
                cycle_id=None,
                cycle_code=cycle,
                overall_rating=rating,
                previous_rating=None,
                rated_on=dt.date(2025, 1, 1) + dt.timedelta(days=day),
            )
            for cycle, rating, day in (("2023", 2, 0), ("2024", 5, 10), ("2025", 3, 20))
        ),
        *(
            PotentialAssessed(
                assessment_id=uuid.uuid4(),
                employee_id=bob.employee_id,
                potential=potential,
                assessed_on=dt.date(2025, 2, day),
                assessor_id=None,
                review_by=dt.date(2026, 2, 1),
            )
            for potential, day in (("high", 3), ("low", 1))
        ),
        EmployeeUpdated(
            employee_id=bob.employee_id,
            employee=bob.employee.model_copy(update={"name": "Bob B."}),
            changed_fields=("name",),
        ),
        bob,  # a stale re-delivery of the hire (its envelope time is older): ignored
    ]
    items = [delivery(p, at=base + i * dt.timedelta(minutes=1)) for i, p in enumerate(payloads)]
    items[-1] = delivery(bob, at=base)

    one_by_one = s.begin_nested()
    for item in items:
        registry.apply(s, [item])
    expected = recommender_state(s)
    one_by_one.rollback()
    batch = s.begin_nested()
    registry.apply(s, items)
    got = recommender_state(s)
    batch.rollback()

    assert got == expected
    ours = {ada.employee_id, bob.employee_id}
    assert len([r for r in expected["completion"] if r[1] in ours]) == 2
    assert [r for r in expected["course_popularity"] if r[1] == "BATCH-XL"] == [
        ("analyst", "BATCH-XL", 1),
        ("lead", "BATCH-XL", 1),
    ]
    assert [row[3] for row in expected["assessment"] if row[1] == bob.employee_id] == [4]
    assert [r[2] for r in expected["potential"] if r[0] == bob.employee_id] == ["high"]
    assert [r for r in expected["performance_summary"] if r[0] == bob.employee_id] == [
        (bob.employee_id, 4.0, 2)
    ]
    assert [r[1] for r in expected["enrollment"] if r[0] == enrollment] == ["completed"]
    # The update stays; the stale hire does not undo it.
    assert [r[4] for r in expected["employee"] if r[0] == bob.employee_id] == [items[-2][1].time]
    assert [r[2:4] for r in expected["employee"] if r[0] == ada.employee_id] == [
        ("lead", dt.date(2025, 6, 1))  # the role started on the transfer's effective day
    ]
    assert [r[3] for r in expected["employee"] if r[0] == bob.employee_id] == [
        bob.employee.hire_date  # the update kept the role's start
    ]
