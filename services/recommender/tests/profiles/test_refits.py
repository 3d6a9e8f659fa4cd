"""On-demand and scheduled refits: the mutation queues a request, the worker's refit job
runs it, and refits on its schedule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_recommender.profiles.models import RefitRequest, SkillEstimate, SkillModel
from talent_recommender.profiles.refits import refit_if_due, run_pending

from ..factories import HR, HR_LEADER, assessed, deliver_sync, execute

REFIT = """mutation { refitRecommenderModel(input: {reason: "new catalog"}) {
  __typename ... on RefitRequested { requestId } ... on Forbidden { message } } }"""


async def test_only_hr_leaders_and_admins_may_request_a_refit(session: AsyncSession) -> None:
    denied = (await execute(session, REFIT, as_=HR))["refitRecommenderModel"]
    granted = (await execute(session, REFIT, as_=HR_LEADER))["refitRecommenderModel"]

    assert denied["__typename"] == "Forbidden"
    assert granted["__typename"] == "RefitRequested" and granted["requestId"] > 0


@pytest.fixture
def committed(sync_engine: Engine) -> Iterator[Engine]:
    yield sync_engine
    with sync_engine.begin() as connection:
        connection.execute(
            text("TRUNCATE refit_request, skill_model, skill_estimate, assessment, ingest_state")
        )


def test_the_worker_runs_a_pending_request_once(committed: Engine) -> None:
    with Session(committed) as session, session.begin():
        for i in range(6):
            for code in ("excel", "comms", "lead"):
                deliver_sync(session, assessed(f"R{i}", code, 1 + (i + len(code)) % 5))
        session.add(RefitRequest(requested_by="hr-leader"))

    version = run_pending(committed, rank=2)

    assert version is not None
    with Session(committed) as session:
        request = session.scalars(select(RefitRequest)).one()
        assert request.model_version == version and request.finished_at is not None
        model = session.get(SkillModel, version)
        assert model is not None
        assert (model.employees, model.entries) == (6, 18)
        assert model.evidence_records == 18  # the growth rule's baseline
        assert {"comms", "excel", "lead"} <= set(model.competency_codes)
        assert model.parameters is not None and model.calibration is not None
    assert run_pending(committed, rank=2) is None  # nothing left to do

    # Every stored estimate keeps the evidence summary it came from.
    with Session(committed) as session:
        stored = list(session.scalars(select(SkillEstimate)))
    assert len(stored) == 18
    assert all(
        e.evidence_level is not None and (e.evidence_precision or 0) > 0 and 1 <= e.level <= 5
        for e in stored
    )


def test_the_refit_job_fits_a_first_model_then_waits_for_the_schedule(committed: Engine) -> None:
    with Session(committed) as session, session.begin():
        for i in range(3):
            deliver_sync(session, assessed(f"S{i}", "excel", 3))

    first = refit_if_due(committed, rank=2, interval_s=3600)

    assert first is not None  # no model yet: due at once
    assert refit_if_due(committed, rank=2, interval_s=3600) is None  # fitted just now
    assert refit_if_due(committed, rank=2, interval_s=0) is None  # schedule turned off
    with Session(committed) as session, session.begin():
        session.add(RefitRequest(requested_by="hr-leader"))
    requested = refit_if_due(committed, rank=2, interval_s=0)
    assert requested is not None and requested > first  # a request needs no schedule
