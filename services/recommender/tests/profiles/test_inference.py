"""The skills model: refit, versions with metrics, inferred levels labelled inferred, and
the posterior's calibration on simulated data with known truth."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_recommender.profiles.inference import refit
from talent_recommender.profiles.posterior import (
    INTERVAL_80,
    SOURCES,
    EvidenceSummary,
    Readings,
    Requirements,
    SkillPriorModel,
    _selected,
    fit,
    summarise,
)

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
    assert {"fit_seconds", "store_seconds"} <= set(metrics)
    assert status["eventsProcessed"] > 40 and status["lagSeconds"] >= 0

    quant = {p["competencyCode"]: p for p in (await employee_view(session, "NQ"))["skillProfile"]}
    talker = {p["competencyCode"]: p for p in (await employee_view(session, "NC"))["skillProfile"]}
    # Evidence stays evidence; what the model adds is labelled inferred, and less sure.
    assert quant["fin-model"]["basis"] == "EVIDENCE"
    assert (quant["excel"]["basis"], quant["excel"]["inferred"]) == ("INFERRED", True)
    assert quant["excel"]["evidence"] == []
    assert quant["excel"]["confidence"] < quant["fin-model"]["confidence"]
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


def three_profiles(
    readings: Readings,
    profile: np.ndarray,
    requirements: Requirements,
    *,
    competencies: int,
    rank: int,
) -> tuple[SkillPriorModel, EvidenceSummary]:
    """The model of simulated people in job profiles p0-p2 over competencies c0, c1, ..."""
    return fit(
        readings,
        employee_profile=profile,
        requirements=requirements,
        competency_codes=[f"c{c}" for c in range(competencies)],
        profile_codes=["p0", "p1", "p2"],
        rank=rank,
    )


def fresh_readings(rows: list[tuple[int, int, int, float]]) -> Readings:
    """Readings made today at full strength: (employee, competency, source, value)."""
    return Readings(
        employee=np.asarray([r[0] for r in rows]),
        competency=np.asarray([r[1] for r in rows]),
        source=np.asarray([r[2] for r in rows]),
        value=np.asarray([r[3] for r in rows]),
        age_days=np.zeros(len(rows)),
        strength=np.ones(len(rows)),
    )


def simulated(seed: int) -> tuple[Readings, np.ndarray, np.ndarray, dict[tuple[int, int], float]]:
    """600 people in 3 job profiles over 12 competencies: true level = the profile's
    requirement + a general ability shared by all competencies + noise; readings by
    formal assessors (unbiased, sd 0.4), managers (sd 0.6) and the people themselves
    (0.6 high, sd 0.7), each on a random third of the competencies."""
    rng = np.random.default_rng(seed)
    required = rng.integers(2, 5, size=(3, 12)).astype(float)
    profile = rng.integers(0, 3, size=600)
    ability = rng.normal(0, 0.6, size=600)
    truth = np.clip(required[profile] + ability[:, None] + rng.normal(0, 0.3, (600, 12)), 1, 5)
    rows: list[tuple[int, int, int, float]] = []
    for e in range(600):
        for c in range(12):
            for source, bias, sd in (
                ("assessment", 0, 0.4),
                ("manager", 0, 0.6),
                ("self", 0.6, 0.7),
            ):
                if rng.random() < 1 / 3:
                    rows.append(
                        (e, c, SOURCES.index(source), truth[e, c] + bias + rng.normal(0, sd))
                    )
    readings = fresh_readings(rows)
    p, c = np.nonzero(required)
    requirements = Requirements(profile=p, competency=c, level=required[p, c])
    held = {(e, c): float(truth[e, c]) for e in range(600) for c in range(12)}
    return readings, profile, requirements, held  # type: ignore[return-value]


def test_the_posterior_corrects_self_ratings_and_beats_raw_evidence_and_the_prior() -> None:
    readings, profile, requirements, truth = simulated(7)

    model, summary = three_profiles(readings, profile, requirements, competencies=12, rank=3)

    calibration = model.calibration
    assert 0.45 < calibration.bias["self"] < 0.75 and abs(calibration.bias["manager"]) < 0.15
    assert calibration.variance["assessment"] < calibration.variance["manager"]
    assert calibration.variance["manager"] < calibration.variance["self"]
    posterior_errors, raw_errors, prior_errors, inside = [], [], [], 0
    for e in range(0, 600, 5):
        own = summary.employee == e
        evidence = {
            f"c{c}": (float(m), float(p))
            for c, m, p in zip(
                summary.competency[own], summary.mean[own], summary.precision[own], strict=True
            )
        }
        code = f"p{profile[e]}"
        for c in range(12):
            if f"c{c}" not in evidence:
                continue
            others = {k: v for k, v in evidence.items() if k != f"c{c}"}
            left_out = model.posterior(code, others, [f"c{c}"])[f"c{c}"]
            full = model.posterior(code, evidence, [f"c{c}"])[f"c{c}"]
            actual = truth[(e, c)]
            posterior_errors.append(abs(full.level - actual))
            raw_errors.append(abs(evidence[f"c{c}"][0] - actual))
            prior_errors.append(abs(float(model.prior_of(code, f"c{c}") or 0) - actual))
            inside += abs(left_out.level - actual) <= INTERVAL_80 * left_out.sd
    assert np.mean(posterior_errors) < 0.9 * np.mean(raw_errors)
    assert np.mean(posterior_errors) < 0.8 * np.mean(prior_errors)
    # The 80% interval of an inferred level holds the truth about 80% of the time.
    assert 0.7 < inside / len(posterior_errors) < 0.92


def test_sources_are_measured_against_formal_assessments_slope_and_all() -> None:
    """Managers who rate everyone close to what the role expects (a third of a person's
    departure from it shows, plus a quarter level of leniency) and courses taken at the
    level of the role (their level says nothing of the person): measured against repeated
    formal assessments, the manager's slope and bias are found, courses count for almost
    nothing, and the posterior beats the one that takes every source at slope 1."""
    rng = np.random.default_rng(11)
    required = rng.integers(2, 5, size=(3, 8)).astype(float)
    profile = rng.integers(0, 3, size=500)
    truth = np.clip(
        required[profile] + rng.normal(0, 0.5, (500, 1)) + rng.normal(0, 0.3, (500, 8)), 1, 5
    )
    rows: list[tuple[int, int, int, float]] = []
    for e in range(500):
        for c in range(8):
            expected = required[profile[e], c]
            if rng.random() < 0.4:  # two formal sessions
                rows += [(e, c, 0, truth[e, c] + rng.normal(0, 0.35)) for _ in range(2)]
            departure = truth[e, c] - expected
            rows.append((e, c, 1, expected + 0.25 + departure / 3 + rng.normal(0, 0.3)))
            rows.append((e, c, SOURCES.index("completion"), expected + rng.integers(-1, 2)))
    readings = fresh_readings(rows)
    p, c = np.nonzero(required)
    requirements = Requirements(profile=p, competency=c, level=required[p, c])

    model, _ = three_profiles(readings, profile, requirements, competencies=8, rank=2)

    calibration = model.calibration
    assert 0.2 < calibration.slope["manager"] < 0.5
    assert 0.1 < calibration.bias["manager"] < 0.4
    assert calibration.slope["completion"] < 0.15
    flat = dataclasses.replace(calibration, slope={})
    errors: dict[str, list[float]] = {"measured": [], "slope 1": []}
    for e in range(0, 500, 3):
        code = f"p{profile[e]}"
        subset = _selected(readings, readings.employee == e)
        for name, calib in (("measured", calibration), ("slope 1", flat)):
            reference = model.references(
                np.full(len(subset.value), model.profile_row(code)), subset.competency
            )
            evidence = summarise(
                dataclasses.replace(subset, employee=np.zeros(len(subset.value), dtype=np.int64)),
                calib,
                reference,
            )
            level, _ = model.posterior_arrays(
                code, evidence.competency, evidence.mean, evidence.precision, evidence.competency
            )
            errors[name] += list(np.abs(level - truth[e, evidence.competency]))
    assert np.mean(errors["measured"]) < 0.9 * np.mean(errors["slope 1"])


def test_the_batched_posterior_of_a_few_competencies_is_the_one_by_one_posterior() -> None:
    readings, profile, requirements, _ = simulated(3)
    model, _ = three_profiles(readings, profile, requirements, competencies=12, rank=3)
    rng = np.random.default_rng(5)
    chosen = np.asarray([1, 4, 6, 9])
    people = [("p0", 0.5), ("p2", None), (None, 3.0), ("p1", 10.0)]
    means = rng.uniform(1, 5, size=(len(people), len(chosen)))
    precisions = np.where(rng.random((len(people), len(chosen))) < 0.5, rng.uniform(0.5, 4), 0.0)

    levels, spreads = model.posterior_block(
        [p for p, _ in people], [t for _, t in people], chosen, means, precisions
    )

    for i, (code, tenure) in enumerate(people):
        seen = precisions[i] > 0
        level, sd = model.posterior_arrays(
            code, chosen[seen], means[i, seen], precisions[i, seen], chosen, tenure
        )
        assert np.allclose(levels[i], np.clip(level, 1, 5), atol=1e-6)
        assert np.allclose(spreads[i], sd, atol=1e-6)
