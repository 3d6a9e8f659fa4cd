"""Projections from people, learning and performance events: idempotent and replayable."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_contracts.performance import RatingCalibrated
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
from talent_recommender.profiles.models import SkillEstimate
from talent_recommender.recommendations.models import CoursePopularity

from ..factories import (
    assessed,
    completed,
    course,
    deliver,
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
    assert {t.split(".")[1] for t in registry.handlers} == {
        "people",
        "learning",
        "performance",
        "succession",
    }
    assert len(registry.handlers) == 21


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
        for table in ("assessment", "skill_estimate", "employee", "ingest_state"):
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


def test_a_batch_recomputes_its_employees_once_at_commit(
    sync_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talent_recommender.profiles import estimates

    calls: list[set[uuid.UUID]] = []
    monkeypatch.setattr(estimates, "recompute_estimates", lambda _, ids: calls.append(set(ids)))
    first, second = uuid.uuid4(), uuid.uuid4()

    with Session(sync_engine) as session, session.begin():
        for employee in (first, second, first):
            with session.begin_nested():  # as the consumer runs each event
                estimates.mark_stale(session, [employee])
        assert calls == []

    assert calls == [{first, second}]
