"""The offline evaluation: metrics, and a run on a time split of stored evidence."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_recommender.evaluation.metrics import (
    RankingScores,
    ndcg_at,
    precision_at,
    recall_at,
    reciprocal_rank,
)
from talent_recommender.evaluation.offline import Report, evaluate, render

from ..factories import assessed, completed, deliver, hired
from ..world import build_world


def test_ranking_metrics_at_k() -> None:
    ranked = ["a", "b", "c", "d"]
    relevant = {"b", "d", "z"}

    assert precision_at(ranked, relevant, 4) == 0.5
    assert recall_at(ranked, relevant, 4) == 2 / 3
    assert reciprocal_rank(ranked, relevant, 4) == 0.5
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert math.isclose(ndcg_at(ranked, relevant, 4), (1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    scores = RankingScores(4)
    scores.add(ranked, relevant)
    scores.add(["z"], relevant)
    assert scores.means()["mrr"] == 0.75


async def test_evaluate_scores_held_out_completions_and_assessments(session: AsyncSession) -> None:
    await build_world(session)
    before, after = dt.date(2025, 3, 1), dt.date(2025, 9, 1)
    for n in ("A1", "A2", "A3"):
        await deliver(
            session,
            hired(n, hire_date=dt.date(2024, 1, 1)),
            assessed(n, "fin-model", 1, on=before),
            assessed(n, "comms", 2, on=before),
            completed(n, "XL-3", on=before),
            completed(n, "FM-2", on=after),
            assessed(n, "fin-model", 2, on=after),
        )

    def run(sync: Session) -> Report | None:
        return evaluate(sync, split=dt.date(2025, 6, 1))

    report = await session.run_sync(run)

    assert report is not None
    assert report.test_employees == 3 and report.held_out_completions == 3
    assert set(report.rankings) == {
        "recommender",
        "random",
        "popularity",
        "popularity_in_job_profile",
    }
    # FM-2 is the course closing the fin-model gap the assessments show.
    assert report.rankings["recommender"]["recall"] == 1.0
    assert report.held_out_assessments == 3
    assert report.mae["recommender"] < report.mae["job_profile_mean"] + 1e-9
    text = render(report)
    assert "precision@10" in text and "MAE recommender" in text and "vs popularity:" in text
