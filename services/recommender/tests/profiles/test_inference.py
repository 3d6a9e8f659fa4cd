"""The low-rank model: refit, versions with metrics, inferred levels labelled inferred."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_recommender.profiles.inference import build_matrix, fit, refit

from ..factories import HR, TODAY, assessed, deliver, employee_view, execute, hired
from ..world import build_world

STATUS = """{ recommenderStatus { modelVersion trainedAt trainingWindowStart trainingWindowEnd
  modelMetrics eventsProcessed lagSeconds } }"""


async def quants_and_communicators(session: AsyncSession) -> None:
    """Twelve analysts: quants strong in modelling and Excel, communicators strong in
    communication and leadership; each skill pair moves together."""
    await build_world(session)
    for i in range(6):
        q, c = f"Q{i}", f"C{i}"
        await deliver(
            session,
            hired(q),
            hired(c),
            assessed(q, "fin-model", 5 - i % 2),
            assessed(q, "excel", 5 - i % 2),
            assessed(q, "comms", 1 + i % 2),
            assessed(q, "lead", 1 + i % 2),
            assessed(c, "fin-model", 1 + i % 2),
            assessed(c, "excel", 1 + i % 2),
            assessed(c, "comms", 5 - i % 2),
            assessed(c, "lead", 5 - i % 2),
        )
    # Newcomers with one piece of evidence each.
    await deliver(
        session,
        hired("NQ", hire_date=TODAY),
        assessed("NQ", "fin-model", 5),
        hired("NC", hire_date=TODAY),
        assessed("NC", "comms", 5),
    )


def run_refit(sync: Session) -> int:
    return refit(sync, rank=2).version


async def test_a_refit_stores_a_versioned_model_and_infers_labelled_levels(
    session: AsyncSession,
) -> None:
    await quants_and_communicators(session)
    status_before = (await execute(session, STATUS, as_=HR))["recommenderStatus"]

    version = await session.run_sync(run_refit)

    status = (await execute(session, STATUS, as_=HR))["recommenderStatus"]
    assert status_before["modelVersion"] is None
    assert status["modelVersion"] == version
    assert status["trainingWindowEnd"] is not None and status["trainedAt"] is not None
    metrics: dict[str, Any] = status["modelMetrics"]
    assert {"explained_variance", "fit_seconds"} <= set(metrics)
    assert status["eventsProcessed"] > 40 and status["lagSeconds"] >= 0

    quant = {p["competencyCode"]: p for p in (await employee_view(session, "NQ"))["skillProfile"]}
    talker = {p["competencyCode"]: p for p in (await employee_view(session, "NC"))["skillProfile"]}
    # Evidence stays evidence; what the model adds is labelled inferred, with low confidence.
    assert quant["fin-model"]["basis"] == "EVIDENCE"
    assert (quant["excel"]["basis"], quant["excel"]["inferred"]) == ("INFERRED", True)
    assert quant["excel"]["evidence"] == [] and quant["excel"]["confidence"] < 0.35
    assert quant["excel"]["level"] > talker["excel"]["level"]
    as_manager = {
        n: {
            g["competencyCode"]: g
            for g in (await employee_view(session, n, target="fin-manager"))["skillGaps"]["gaps"]
        }
        for n in ("NQ", "NC")
    }
    assert as_manager["NC"]["lead"]["estimate"] > as_manager["NQ"]["lead"]["estimate"]
    assert as_manager["NQ"]["lead"]["basis"] == "INFERRED"

    gaps = {
        g["competencyCode"]: g for g in (await employee_view(session, "NQ"))["skillGaps"]["gaps"]
    }
    assert gaps["excel"]["basis"] == "INFERRED" and gaps["excel"]["suggestAssessment"] is (
        gaps["excel"]["gap"] > 0
    )


def test_the_model_beats_the_competency_mean_on_structured_data() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for e in range(400):
        talent = rng.normal(0, 1, 2)
        for c in range(40):
            if rng.random() < 0.3:
                level = 3 + 1.2 * talent[c % 2] + rng.normal(0, 0.3)
                rows.append((e, f"c{c}", float(np.clip(level, 1, 5))))

    model = fit(build_matrix(rows), rank=4)

    assert model.metrics["heldout_mae"] < 0.8 * model.metrics["heldout_mae_competency_mean"]
    assert model.components.shape == (4, 40)
