"""The skills model: fitted at every refit, used by every estimate and inference.

A refit reads every reading (assessments, completions, ended roles), fits the model of
profiles/posterior.py (source calibration, job-profile priors, the covariance of people's
deviations from them), stores it as a new version, and rebuilds every stored estimate as
its posterior. Employees hired after the fit get inferred levels too: inference needs only
the stored model and the person's evidence.

The fit records, in `metrics`, a leave-one-out check on a random 5% of the
(employee, competency) evidence: the posterior's mean absolute error against the held-out
evidence mean next to the job-profile prior's, and the share of held-out evidence inside
the 80% predictive interval (calibration of the confidence).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from talent_platform.db.base import utcnow
from talent_recommender.profiles.estimates import (
    EstimateRow,
    ReadingSet,
    estimate_rows,
    read_readings,
    store_estimates,
    years_in_role,
)
from talent_recommender.profiles.models import SkillEstimate, SkillModel
from talent_recommender.profiles.posterior import (
    Calibration,
    Posterior,
    Requirements,
    SkillPriorModel,
    fit,
)

ALGORITHM = "gaussian-prior/calibrated-sources"
REBUILD_WORK_MEM = "512MB"


@dataclass(frozen=True)
class FittedSkills:
    model: SkillPriorModel
    estimates: list[EstimateRow]
    reading_set: ReadingSet


def fit_skills(
    session: Session, *, rank: int, as_of: dt.date | None = None, seed: int = 0
) -> FittedSkills | None:
    """Fit the model on every reading dated on or before `as_of` (today) and compute every
    (employee, competency) posterior from it; None when there is no evidence at all."""
    competencies = list(
        session.scalars(
            text(
                "SELECT code FROM competency UNION SELECT competency_code FROM job_requirement"
                " ORDER BY 1"
            )
        )
    )
    reading_set = read_readings(session, None, as_of=as_of, competencies=competencies)
    if not reading_set.employees:
        return None
    profiles = list(session.scalars(text("SELECT code FROM job_profile ORDER BY code")))
    profile_index = {p: i for i, p in enumerate(profiles)}
    people = session.execute(
        text(
            "SELECT employee_id, job_profile_code, coalesce(in_role_since, hire_date) FROM employee"
        )
    ).all()
    profile_of: dict[uuid.UUID, str | None] = {e: p for e, p, _ in people}
    tenure_of = {e: years_in_role(since, as_of=reading_set.as_of) for e, _, since in people}
    employee_profile = np.asarray(
        [profile_index.get(profile_of.get(e) or "", -1) for e in reading_set.employees],
        dtype=np.int64,
    )
    employee_tenure = np.asarray(
        [np.nan if (t := tenure_of.get(e)) is None else t for e in reading_set.employees],
        dtype=np.float64,
    )
    competency_index = {c: i for i, c in enumerate(reading_set.competencies)}
    required = [
        (profile_index[p], competency_index[c], float(level))
        for p, c, level in session.execute(
            text("SELECT job_profile_code, competency_code, required_level FROM job_requirement")
        )
        if p in profile_index and c in competency_index
    ]
    requirements = Requirements(
        profile=np.asarray([p for p, _, _ in required], dtype=np.int64),
        competency=np.asarray([c for _, c, _ in required], dtype=np.int64),
        level=np.asarray([level for _, _, level in required], dtype=np.float64),
    )
    model, summary = fit(
        reading_set.readings,
        employee_profile=employee_profile,
        requirements=requirements,
        competency_codes=reading_set.competencies,
        profile_codes=profiles,
        rank=rank,
        employee_tenure=employee_tenure,
        seed=seed,
    )
    rows = estimate_rows(reading_set, summary, model, profile_of, tenure_of)
    return FittedSkills(model=model, estimates=rows, reading_set=reading_set)


def refit(session: Session, *, rank: int, rebuild: bool = True) -> SkillModel:
    """The full refit: fit the skills model on all evidence, store it as a new version,
    rebuild every stored estimate from it (optional) and the peer popularity of courses."""
    started = time.perf_counter()
    # Millions of readings are sorted and hashed: in memory, not in temporary files (the
    # setting ends with the transaction).
    session.execute(text(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'"))
    if rebuild:
        # Events applied while the refit runs would be overwritten by estimates from its
        # older readings: a consumer's recompute waits for this lock instead (and then
        # uses the new model); reads go on.
        session.execute(text("LOCK TABLE skill_estimate IN SHARE ROW EXCLUSIVE MODE"))
    fitted = fit_skills(session, rank=rank)
    fitted_at = time.perf_counter()
    if rebuild:
        session.execute(text("DELETE FROM skill_estimate"))
        if fitted is not None:
            store_estimates(session, fitted.estimates)
        rebuild_course_popularity(session)
    stored = time.perf_counter()
    window = session.execute(
        text(
            "SELECT least((SELECT min(assessed_on) FROM assessment),"
            " (SELECT min(completed_on) FROM completion)),"
            " greatest((SELECT max(assessed_on) FROM assessment),"
            " (SELECT max(completed_on) FROM completion))"
        )
    ).one()
    model = fitted.model if fitted is not None else None
    employees = len(fitted.reading_set.employees) if fitted is not None else 0
    row = SkillModel(
        trained_at=utcnow(),
        window_start=window[0],
        window_end=window[1],
        algorithm=ALGORITHM,
        rank=int(model.loadings.shape[1]) if model is not None else 0,
        employees=employees,
        competencies=len(model.competency_codes) if model is not None else 0,
        entries=len(fitted.estimates) if fitted is not None else 0,
        metrics={
            **(model.metrics if model is not None else {}),
            "fit_seconds": round(fitted_at - started, 2),
            "store_seconds": round(stored - fitted_at, 2),
        },
        competency_codes=model.competency_codes if model is not None else [],
        competency_means=b"",
        components=b"",
        profile_codes=model.profile_codes if model is not None else [],
        calibration=model.calibration.to_json() if model is not None else None,
        parameters=model.to_bytes() if model is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def rebuild_course_popularity(session: Session) -> None:
    session.execute(text("TRUNCATE course_popularity"))
    session.execute(
        text(
            "INSERT INTO course_popularity (job_profile_code, course_code, completions, updated_at)"
            " SELECT e.job_profile_code, c.course_code, count(DISTINCT c.employee_id), now()"
            "   FROM completion c JOIN employee e ON e.employee_id = c.employee_id"
            "  WHERE e.job_profile_code IS NOT NULL"
            "  GROUP BY e.job_profile_code, c.course_code"
        )
    )


@dataclass(frozen=True)
class InferredLevel:
    competency_code: str
    level: float
    confidence: float


@dataclass(frozen=True)
class LoadedModel:
    version: int
    trained_at: dt.datetime
    skills: SkillPriorModel

    @classmethod
    def from_row(cls, row: SkillModel) -> LoadedModel | None:
        if row.parameters is None or row.calibration is None:
            return None  # a model of an earlier algorithm, or fitted on no evidence
        calibration = Calibration.from_json(row.calibration)
        return cls(
            version=row.version,
            trained_at=row.trained_at,
            skills=SkillPriorModel.from_stored(
                row.parameters,
                competency_codes=list(row.competency_codes),
                profile_codes=list(row.profile_codes or []),
                calibration=calibration,
            ),
        )

    def posterior(
        self,
        profile: str | None,
        evidence: Mapping[str, tuple[float, float]],
        wanted: Iterable[str],
        *,
        tenure_years: float | None = None,
    ) -> dict[str, Posterior]:
        return self.skills.posterior(profile, evidence, list(wanted), tenure_years)

    def infer(
        self,
        profile: str | None,
        evidence: Mapping[str, tuple[float, float]],
        *,
        wanted: Iterable[str] | None = None,
        tenure_years: float | None = None,
    ) -> dict[str, InferredLevel]:
        """Inferred levels for competencies without evidence (`wanted`, or every one the
        model knows), from the person's job profile, years in it and evidence (competency
        code -> (evidence mean, precision))."""
        codes = self.skills.competency_codes if wanted is None else wanted
        missing = [c for c in codes if c not in evidence]
        posteriors = self.posterior(profile, evidence, missing, tenure_years=tenure_years)
        return {
            code: InferredLevel(code, round(p.level, 2), round(p.confidence, 3))
            for code, p in posteriors.items()
        }


def evidence_of(estimates: Iterable[SkillEstimate]) -> dict[str, tuple[float, float]]:
    """Stored estimates' evidence summaries: competency code -> (mean, precision)."""
    return {
        e.competency_code: (e.evidence_level, e.evidence_precision)
        for e in estimates
        if e.evidence_level is not None and e.evidence_precision
    }


MODEL_CACHE: dict[int, LoadedModel | None] = {}
"""The latest model per process, by version (a refit adds a version; old ones are dropped)."""


def remember(row: SkillModel) -> LoadedModel | None:
    if row.version not in MODEL_CACHE:
        MODEL_CACHE.clear()
        MODEL_CACHE[row.version] = LoadedModel.from_row(row)
    return MODEL_CACHE[row.version]


def latest_model(session: Session) -> LoadedModel | None:
    """The latest stored model, loaded once per version and process (`MODEL_CACHE`): called
    directly by sync code (a consumer's recompute of estimates), through `run_sync` by the
    async repositories."""
    version = session.scalar(select(func.max(SkillModel.version)))
    if version is None:
        return None
    if version in MODEL_CACHE:
        return MODEL_CACHE[version]
    row = session.get(SkillModel, version)
    return remember(row) if row is not None else None
