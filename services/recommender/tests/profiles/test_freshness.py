"""Fresh models when data changes: the status reports the worker's lag snapshot, and the
refit loop refits once the evidence grew enough and the intake is caught up and settled."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_recommender.db import consumer_lag
from talent_recommender.profiles.freshness import EvidenceGrowth
from talent_recommender.profiles.models import SkillModel, StaleEstimate

from ..factories import HR, assessed, deliver, deliver_sync, execute

STATUS = (
    "{ recommenderStatus { pendingEvents pendingEstimates caughtUp lagSeconds eventsProcessed } }"
)
STALE_AFTER_S = 15.0


def observed(*partitions: tuple[int, int], ago: dt.timedelta = dt.timedelta(0)) -> Any:
    """The worker's snapshot: (published end, applied position) per partition, observed
    `ago` before the transaction's now()."""
    return [
        insert(consumer_lag).values(
            topic="talent.performance",
            partition=number,
            published_end=end,
            applied_position=applied,
            observed_at=text("now() - make_interval(secs => :ago)").bindparams(
                ago=ago.total_seconds()
            ),
        )
        for number, (end, applied) in enumerate(partitions)
    ]


async def status_with(session: AsyncSession, *snapshot: Any) -> dict[str, Any]:
    await session.execute(delete(consumer_lag))
    for statement in snapshot:
        await session.execute(statement)
    found: dict[str, Any] = (await execute(session, STATUS, as_=HR))["recommenderStatus"]
    return found


async def test_status_reports_pending_events_until_the_worker_applied_them(
    session: AsyncSession,
) -> None:
    await deliver(session, assessed("S1", "excel", 3))

    never_observed = await status_with(session)
    behind = await status_with(session, *observed((10, 7), (5, 5), (4, 6)))
    idle = await status_with(session, *observed((10, 10), (5, 5)))
    stopped = await status_with(
        session, *observed((10, 10), (5, 5), ago=dt.timedelta(seconds=STALE_AFTER_S + 5))
    )

    assert (never_observed["pendingEvents"], never_observed["caughtUp"]) == (0, False)
    # Three records wait on one partition; a partition ahead of its recorded end counts 0.
    assert (behind["pendingEvents"], behind["caughtUp"]) == (3, False)
    assert behind["lagSeconds"] is not None and behind["lagSeconds"] >= 0
    assert (idle["pendingEvents"], idle["caughtUp"], idle["lagSeconds"]) == (0, True, 0.0)
    # A worker that stopped reporting does not claim to be caught up.
    assert (stopped["pendingEvents"], stopped["caughtUp"]) == (0, False)
    assert idle["eventsProcessed"] == 1


async def test_status_is_not_caught_up_while_estimates_wait_for_the_job(
    session: AsyncSession,
) -> None:
    await session.execute(insert(StaleEstimate).values(employee_id=uuid.uuid4()))
    waiting = await status_with(session, *observed((10, 10)))
    await session.execute(delete(StaleEstimate))
    idle = await status_with(session, *observed((10, 10)))

    assert (waiting["pendingEvents"], waiting["pendingEstimates"]) == (0, 1)
    assert (waiting["caughtUp"], idle["caughtUp"], idle["pendingEstimates"]) == (False, True, 0)


def fitted(session: Session, *, evidence_records: int | None) -> None:
    session.add(
        SkillModel(
            trained_at=dt.datetime.now(dt.UTC),
            algorithm="test",
            rank=0,
            employees=0,
            competencies=0,
            entries=0,
            metrics={},
            competency_codes=[],
            competency_means=b"",
            components=b"",
            evidence_records=evidence_records,
        )
    )
    session.flush()


def snapshot(session: Session, *statements: Any) -> None:
    session.execute(delete(consumer_lag))
    for statement in statements:
        session.execute(statement)


def assessments(session: Session, count: int, *, start: int = 0) -> None:
    for i in range(start, start + count):
        deliver_sync(session, assessed(f"G{i}", "excel", 1 + i % 5))


def settled_decision(rule: EvidenceGrowth, session: Session) -> bool:
    """The loop's decision once no event arrived between two of its looks."""
    first = rule.refit_due(session)
    return first or rule.refit_due(session)


def test_a_first_model_is_fitted_once_evidence_arrived_and_the_intake_caught_up(
    sync_session: Session,
) -> None:
    rule = EvidenceGrowth(share=0.05, stale_after_s=STALE_AFTER_S)
    snapshot(sync_session, *observed((3, 3)))
    assert not settled_decision(rule, sync_session)  # no evidence, nothing to fit

    assessments(sync_session, 20)
    snapshot(sync_session, *observed((25, 20)))
    assert not settled_decision(rule, sync_session)  # five records still on their way

    snapshot(sync_session, *observed((25, 25)))
    assert rule.refit_due(sync_session) is False  # first look: the intake may go on
    assert rule.refit_due(sync_session) is True


def test_a_refit_follows_growth_beyond_the_share_once_caught_up(sync_session: Session) -> None:
    rule = EvidenceGrowth(share=0.05, stale_after_s=STALE_AFTER_S)
    assessments(sync_session, 20)
    fitted(sync_session, evidence_records=20)
    snapshot(sync_session, *observed((40, 40)))
    assert not settled_decision(rule, sync_session)

    assessments(sync_session, 1, start=20)  # 5%: not more than the share
    assert not settled_decision(rule, sync_session)

    assessments(sync_session, 1, start=21)  # 10%, but the worker is behind
    snapshot(sync_session, *observed((45, 42)))
    assert not settled_decision(rule, sync_session)
    snapshot(sync_session, *observed((42, 42), ago=dt.timedelta(minutes=5)))
    assert not settled_decision(rule, sync_session)  # a stale snapshot is not caught up

    snapshot(sync_session, *observed((42, 42)))
    assert settled_decision(rule, sync_session)
    assert settled_decision(rule, sync_session)  # still due until a refit records a model

    fitted(sync_session, evidence_records=22)
    assert not settled_decision(rule, sync_session)


def test_growth_refits_can_be_turned_off_and_need_a_recorded_baseline(
    sync_session: Session,
) -> None:
    assessments(sync_session, 20)
    snapshot(sync_session, *observed((20, 20)))
    assert not settled_decision(
        EvidenceGrowth(share=0.0, stale_after_s=STALE_AFTER_S), sync_session
    )

    fitted(sync_session, evidence_records=None)  # a model from before the count was kept
    assert not settled_decision(
        EvidenceGrowth(share=0.05, stale_after_s=STALE_AFTER_S), sync_session
    )
