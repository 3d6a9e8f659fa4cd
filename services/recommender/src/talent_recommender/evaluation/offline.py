"""`talent recommender evaluate`: offline evaluation on a time split of stored evidence.

Everything dated on or before the split date is training data; what happened after it is
held out. Course recommendations are judged against each employee's held-out completions
of optional courses (mandatory compliance training is assigned by rule, not recommended),
next to three baselines over the same candidates: random, popularity, and popularity
among employees in the same job profile. The skills profile is judged by the mean
absolute error on held-out assessments, next to the mean assessed level of the competency
in the same job profile. The recommender side uses the served code: the estimate SQL as
of the split date, the low-rank model fitted on those estimates, and rank_courses.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from talent_recommender.evaluation.metrics import RankingScores
from talent_recommender.profiles.estimates import estimates_query
from talent_recommender.profiles.inference import LoadedModel, build_matrix, fit
from talent_recommender.recommendations.scoring import (
    Basis,
    CandidateCourse,
    LevelEstimate,
    PeerContext,
    Requirement,
    compute_gaps,
    rank_courses,
)
from talent_recommender.recommendations.service import POPULAR_CANDIDATES

K = 10
TRAIN_SHARE = 0.8


@dataclass
class Evidence:
    profile_of: dict[uuid.UUID, str | None]
    profile_titles: dict[str, str]
    requirements: dict[str, list[Requirement]]
    names: dict[str, str]
    courses: dict[str, CandidateCourse]
    mandatory: set[str]
    teaching: dict[str, list[str]]
    completions: list[tuple[uuid.UUID, str, dt.date]]
    assessments: list[tuple[uuid.UUID, str, int, dt.date]]


def load(session: Session) -> Evidence:
    def rows(sql: str) -> list[Any]:
        return list(session.execute(text(sql)).all())

    requirements: dict[str, list[Requirement]] = defaultdict(list)
    for p, c, level, importance in rows(
        "SELECT job_profile_code, competency_code, required_level, importance FROM job_requirement"
    ):
        requirements[p].append(Requirement(c, level, importance))
    skills: dict[str, dict[str, int]] = defaultdict(dict)
    teaching: dict[str, list[str]] = defaultdict(list)
    for course, competency, level in rows(
        "SELECT course_code, competency_code, level FROM course_skill ORDER BY course_code"
    ):
        skills[course][competency] = level
        teaching[competency].append(course)
    courses = {}
    mandatory = set()
    for code, title, is_mandatory in rows("SELECT code, title, mandatory FROM course"):
        courses[code] = CandidateCourse(code, title, skills.get(code, {}))
        if is_mandatory:
            mandatory.add(code)
    return Evidence(
        profile_of=dict(rows("SELECT employee_id, job_profile_code FROM employee")),
        profile_titles=dict(rows("SELECT code, title FROM job_profile")),
        requirements=dict(requirements),
        names=dict(rows("SELECT code, name FROM competency")),
        courses=courses,
        mandatory=mandatory,
        teaching=dict(teaching),
        completions=[
            (e, c, d)
            for e, c, d in rows("SELECT employee_id, course_code, completed_on FROM completion")
        ],
        assessments=[
            (e, c, level, d)
            for e, c, level, d in rows(
                "SELECT employee_id, competency_code, level, assessed_on FROM assessment"
            )
        ],
    )


def default_split(evidence: Evidence) -> dt.date | None:
    dates = sorted(d for _, _, d in evidence.completions)
    if not dates:
        return None
    return dates[min(len(dates) - 1, int(len(dates) * TRAIN_SHARE))]


@dataclass
class Report:
    split: dt.date
    test_employees: int = 0
    held_out_completions: int = 0
    rankings: dict[str, dict[str, float]] = field(default_factory=dict)
    held_out_assessments: int = 0
    mae: dict[str, float] = field(default_factory=dict)
    model_metrics: dict[str, float] = field(default_factory=dict)


def evaluate(session: Session, *, split: dt.date | None = None, seed: int = 0) -> Report | None:
    evidence = load(session)
    split = split or default_split(evidence)
    if split is None:
        return None
    report = Report(split=split)

    statement, params = estimates_query(None, as_of=split)
    estimates: dict[uuid.UUID, dict[str, LevelEstimate]] = defaultdict(dict)
    matrix_rows = []
    for row in session.execute(statement, params):
        estimates[row.employee_id][row.competency_code] = LevelEstimate(
            float(row.level), float(row.confidence), Basis.EVIDENCE
        )
        matrix_rows.append((row.employee_id, row.competency_code, float(row.level)))
    model: LoadedModel | None = None
    if matrix_rows:
        levels = build_matrix(matrix_rows)
        fitted = fit(levels, rank=16, seed=seed)
        report.model_metrics = fitted.metrics
        model = LoadedModel(
            version=0,
            trained_at=dt.datetime.now(dt.UTC),
            competency_codes=fitted.competency_codes,
            index={c: i for i, c in enumerate(fitted.competency_codes)},
            means=fitted.means,
            components=fitted.components,
        )

    def estimate_with_inferred(employee: uuid.UUID, wanted: list[str]) -> dict[str, LevelEstimate]:
        found = dict(estimates.get(employee, {}))
        if model is not None:
            observed = {c: e.level for c, e in found.items()}
            for code, i in model.infer(observed, wanted=wanted).items():
                found[code] = LevelEstimate(i.level, i.confidence, Basis.INFERRED)
        return found

    _rankings(evidence, split, estimate_with_inferred, report, seed=seed)
    _skills(evidence, split, estimates, estimate_with_inferred, report)
    return report


def _rankings(
    evidence: Evidence, split: dt.date, estimate_with_inferred: Any, report: Report, *, seed: int
) -> None:
    trained: dict[uuid.UUID, set[str]] = defaultdict(set)
    held: dict[uuid.UUID, set[str]] = defaultdict(set)
    popularity: Counter[str] = Counter()
    in_profile: dict[str, Counter[str]] = defaultdict(Counter)
    headcount = Counter(p for p in evidence.profile_of.values() if p)
    for employee, course, on in evidence.completions:
        if on <= split:
            trained[employee].add(course)
            if course not in evidence.mandatory:
                popularity[course] += 1
                profile = evidence.profile_of.get(employee)
                if profile:
                    in_profile[profile][course] += 1
        elif course not in evidence.mandatory:
            held[employee].add(course)
    optional = sorted(c for c in evidence.courses if c not in evidence.mandatory)
    rng = random.Random(seed)
    scores = {
        name: RankingScores(K)
        for name in ("recommender", "random", "popularity", "popularity_in_job_profile")
    }
    for employee, relevant_all in sorted(held.items()):
        relevant = relevant_all - trained[employee]
        profile = evidence.profile_of.get(employee)
        if not relevant or not profile:
            continue
        report.test_employees += 1
        report.held_out_completions += len(relevant)
        done = trained[employee]
        requirements = evidence.requirements.get(profile, [])
        title = evidence.profile_titles.get(profile, profile)
        gaps = compute_gaps(
            requirements,
            estimate_with_inferred(employee, [r.competency_code for r in requirements]),
            evidence.names,
        )
        candidates = {
            code
            for g in gaps
            if g.gap > 0
            for code in evidence.teaching.get(g.competency_code, [])
            if code not in evidence.mandatory
        }
        candidates |= {c for c, _ in in_profile[profile].most_common(POPULAR_CANDIDATES)}
        ours = rank_courses(
            gaps,
            [evidence.courses[c] for c in sorted(candidates)],
            target_title=title,
            peers=PeerContext(title, headcount[profile], in_profile[profile]),
            completed=done,
            dismissed=set(),
            dismissed_competencies=Counter(),
            first=K,
        )
        scores["recommender"].add([r.code for r in ours], relevant)
        unseen = [c for c in optional if c not in done]
        scores["random"].add(rng.sample(unseen, min(K, len(unseen))), relevant)
        scores["popularity"].add(_top(popularity, done, K), relevant)
        scores["popularity_in_job_profile"].add(_top(in_profile[profile], done, K), relevant)
    report.rankings = {name: s.means() for name, s in scores.items()}


def _top(counts: Counter[str], exclude: set[str], k: int) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [c for c, _ in ranked if c not in exclude][:k]


def _skills(
    evidence: Evidence,
    split: dt.date,
    estimates: dict[uuid.UUID, dict[str, LevelEstimate]],
    estimate_with_inferred: Any,
    report: Report,
) -> None:
    by_profile: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    by_competency: dict[str, list[int]] = defaultdict(list)
    held: list[tuple[uuid.UUID, str, int]] = []
    for employee, competency, level, on in evidence.assessments:
        if on <= split:
            by_profile[(evidence.profile_of.get(employee), competency)].append(level)
            by_competency[competency].append(level)
        else:
            held.append((employee, competency, level))
    if not held:
        return

    def baseline(employee: uuid.UUID, competency: str) -> float:
        levels = by_profile.get(
            (evidence.profile_of.get(employee), competency)
        ) or by_competency.get(competency)
        return sum(levels) / len(levels) if levels else 3.0

    errors: dict[str, float] = {"recommender": 0.0, "job_profile_mean": 0.0}
    covered = 0
    for employee, competency, level in held:
        found = estimate_with_inferred(employee, [competency]).get(competency)
        if found is not None:
            covered += 1
        ours = found.level if found is not None else baseline(employee, competency)
        errors["recommender"] += abs(ours - level)
        errors["job_profile_mean"] += abs(baseline(employee, competency) - level)
    report.held_out_assessments = len(held)
    report.mae = {name: total / len(held) for name, total in errors.items()}
    report.mae["recommender_coverage"] = covered / len(held)


def render(report: Report) -> str:
    lines = [
        f"time split at {report.split.isoformat()}: "
        "evidence on or before it trains, later is held out",
        "",
        f"course recommendations (k={K}): {report.test_employees} employees, "
        f"{report.held_out_completions} held-out optional completions",
        f"  {'':28} {'precision@10':>12} {'recall@10':>10} {'NDCG@10':>8} {'MRR':>6}",
    ]
    for name, m in report.rankings.items():
        figures = f"{m['precision']:12.4f} {m['recall']:10.4f} {m['ndcg']:8.4f} {m['mrr']:6.4f}"
        lines.append(f"  {name:28} {figures}")
    ours = report.rankings.get("recommender")
    if ours:
        for name, m in report.rankings.items():
            if name == "recommender":
                continue
            lines.append(
                f"  vs {name}: NDCG@10 {_ratio(ours['ndcg'], m['ndcg'])}, "
                f"recall@10 {_ratio(ours['recall'], m['recall'])}, "
                f"MRR {_ratio(ours['mrr'], m['mrr'])}"
            )
    lines.append("")
    if report.mae:
        mae = report.mae
        lines += [
            f"skills profile: {report.held_out_assessments} held-out assessments "
            f"({mae['recommender_coverage']:.0%} with an estimate; the rest use the baseline)",
            f"  MAE recommender        {mae['recommender']:.4f}",
            f"  MAE job-profile mean   {mae['job_profile_mean']:.4f}",
        ]
        if mae["job_profile_mean"]:
            change = mae["recommender"] / mae["job_profile_mean"] - 1
            lines.append(f"  recommender error vs job-profile mean: {change:+.1%}")
    else:
        lines.append("skills profile: no held-out assessments")
    if report.model_metrics:
        m = report.model_metrics
        nan = float("nan")
        lines.append(
            "low-rank model on training estimates: held-out MAE "
            f"{m.get('heldout_mae', nan):.4f} vs competency mean "
            f"{m.get('heldout_mae_competency_mean', nan):.4f}"
        )
    return "\n".join(lines)


def _ratio(ours: float, theirs: float) -> str:
    if theirs == 0:
        return "baseline is 0" if ours > 0 else "both 0"
    return f"{ours / theirs:.2f}x ({ours - theirs:+.4f})"
