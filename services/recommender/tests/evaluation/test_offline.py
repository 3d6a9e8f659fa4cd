"""The offline evaluation: metrics, and a run on a time split of stored evidence."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts.people import JobHistoryRecorded, JobProfileUpdated, RequirementSnapshot
from talent_contracts.performance import RatingCalibrated
from talent_recommender.evaluation.metrics import (
    RankingScores,
    difference_interval,
    ndcg_at,
    precision_at,
    recall_at,
    reciprocal_rank,
)
from talent_recommender.evaluation.offline import Report, evaluate, render

from ..factories import assessed, competency, completed, deliver, employee_id, hired
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
    assert scores.lists == 2 and scores.values["mrr"] == [0.5, 1.0]


def test_difference_interval_is_paired_and_brackets_the_mean_difference() -> None:
    # Per list the recommender leads by exactly 0.1: pairing removes the lists' own spread.
    theirs = [i / 100 for i in range(100)]
    ours = [t + 0.1 for t in theirs]
    low, high = difference_interval(ours, theirs)
    assert math.isclose(low, 0.1) and math.isclose(high, 0.1)
    # A lead of 1 on half the lists and -1 on the other half is no lead.
    low, high = difference_interval([1.0, 0.0] * 50, [0.0, 1.0] * 50)
    assert low < 0 < high
    # The same seed gives the same interval.
    mixed = [1.0, 0.0, 0.5, 0.0] * 25
    assert difference_interval(mixed, [0.0] * 100) == difference_interval(mixed, [0.0] * 100)
    assert difference_interval([], []) == (0.0, 0.0)


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
    assert {"random", "competency_mean", "job_profile_mean"} <= set(report.mae)
    text = render(report)
    assert "precision@10" in text and "MAE recommender" in text
    assert "vs popularity (difference, 95% bootstrap interval):" in text
    low, high = report.intervals["random"]["recall"]
    lead = report.rankings["recommender"]["recall"] - report.rankings["random"]["recall"]
    assert 0 <= low <= lead <= high <= 1


def _profile(code: str, level: int, requirements: dict[str, tuple[int, int]]) -> JobProfileUpdated:
    return JobProfileUpdated(
        code=code,
        title=code.replace("-", " ").title(),
        family="Finance",
        level=level,
        requirements=tuple(
            RequirementSnapshot(competency_code=c, required_level=lvl, importance=imp)
            for c, (lvl, imp) in requirements.items()
        ),
    )


def _rated(number: str, rating: int, on: dt.date) -> RatingCalibrated:
    return RatingCalibrated(
        employee_id=employee_id(number),
        cycle_id=None,
        cycle_code=f"{on.year}-ANNUAL",
        overall_rating=rating,
        previous_rating=None,
        rated_on=on,
    )


async def test_successor_section_replays_an_appointment_on_the_evidence_of_the_day_before(
    session: AsyncSession,
) -> None:
    """D1 was promoted from Finance Manager to Finance Director on 2025-03-01: replayed
    on 2025-02-28, D1 (assessed near director level, rated 5) is the recommender's first
    suggestion among the managers; the same-org-unit baseline ranks by rating within
    'finance' and below it, where N1 (rated 5, but a level-3 analyst far from the role)
    competes."""
    hire = dt.date(2020, 1, 6)
    appointed = dt.date(2025, 3, 1)
    await deliver(
        session,
        competency("fin-model", "Financial Modelling"),
        competency("lead", "Leadership"),
        _profile("fin-analyst", 3, {"fin-model": (3, 5), "lead": (1, 2)}),
        _profile("fin-manager", 4, {"fin-model": (4, 5), "lead": (3, 4)}),
        _profile("fin-director", 5, {"fin-model": (5, 5), "lead": (4, 5)}),
        hired("D1", profile="fin-director", hire_date=hire, org_unit="finance"),
        JobHistoryRecorded(
            employee_id=employee_id("D1"),
            job_profile_code="fin-manager",
            start_date=hire,
            end_date=appointed - dt.timedelta(days=1),
        ),
        hired("M2", profile="fin-manager", hire_date=hire, org_unit="finance / planning"),
        hired("M3", profile="fin-manager", hire_date=hire, org_unit="finance / treasury"),
        hired("N1", profile="fin-analyst", hire_date=hire, org_unit="finance"),
        # Evidence starts in 2023: the appointment is more than a year later.
        assessed("D1", "fin-model", 4, on=dt.date(2023, 5, 1)),
        assessed("D1", "fin-model", 5, on=dt.date(2024, 5, 1)),
        assessed("D1", "lead", 4, on=dt.date(2024, 5, 1)),
        assessed("M2", "fin-model", 3, on=dt.date(2024, 5, 1)),
        assessed("M2", "lead", 2, on=dt.date(2024, 5, 1)),
        assessed("M3", "fin-model", 3, on=dt.date(2024, 5, 1)),
        assessed("N1", "fin-model", 2, on=dt.date(2024, 5, 1)),
        _rated("D1", 5, dt.date(2024, 12, 13)),
        _rated("M2", 3, dt.date(2024, 12, 13)),
        _rated("M3", 4, dt.date(2024, 12, 13)),
        _rated("N1", 5, dt.date(2024, 12, 13)),
        # Evidence after the appointment must not count.
        _rated("M2", 5, dt.date(2025, 12, 12)),
        assessed("M2", "fin-model", 5, on=dt.date(2025, 6, 1)),
        assessed("M2", "lead", 5, on=dt.date(2025, 6, 1)),
    )

    def run(sync: Session) -> Report | None:
        return evaluate(sync, split=dt.date(2025, 6, 1))

    report = await session.run_sync(run)

    assert report is not None
    assert report.appointments == 1
    # Candidates: everyone active then at most two levels below the director role.
    assert report.candidates_per_appointment == 4
    assert report.appointee_ranks == [1]
    assert report.successors["recommender"] == {
        "precision": 0.1,
        "recall": 1.0,
        "ndcg": 1.0,
        "mrr": 1.0,
    }
    # D1 and N1 tie on rating 5 in 'finance' and below; D1 is first or second.
    baseline = report.successors["same_org_unit_top_rating"]
    assert baseline["recall"] == 1.0 and baseline["mrr"] in (1.0, 0.5)
    assert set(report.successors) == {"recommender", "random", "same_org_unit_top_rating"}
    text = render(report)
    assert "successors: 1 appointments" in text and "vs same_org_unit_top_rating" in text
    # Random's 10 picks hold all 4 candidates: no lead on recall, with one appointment
    # nothing to resample either.
    assert report.successor_intervals["random"]["recall"] == (0.0, 0.0)


async def test_no_successor_section_without_appointments(session: AsyncSession) -> None:
    await build_world(session)
    await deliver(session, assessed("E2", "fin-model", 2, on=dt.date(2025, 1, 1)))

    def run(sync: Session) -> Report | None:
        return evaluate(sync, split=dt.date(2025, 6, 1))

    report = await session.run_sync(run)

    assert report is not None and report.appointments == 0 and not report.successors
    assert "successors: no appointments into key roles to replay" in render(report)
