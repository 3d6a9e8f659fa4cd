"""`talent recommender evaluate`: offline evaluation on a time split of stored evidence.

Everything dated on or before the split date is training data; what happened after it is
held out. Course recommendations are judged against each employee's held-out completions
of optional courses (mandatory compliance training is assigned by rule, not recommended),
next to three baselines over the same candidates: random, popularity, and popularity
among employees in the same job profile. The skills profile is judged by the mean
absolute error on held-out assessments, next to the mean assessed level of the competency
in the same job profile. The recommender side uses the served code: the estimate SQL as
of the split date, the low-rank model fitted on those estimates, and rank_courses.

Successors are judged on actual appointments into key roles: a leader (job level 5 or 6,
the levels that hold key roles) promoted into their current job profile on day d was
appointed to their role on d. Each appointment dated at least APPOINTMENT_HISTORY_DAYS
after the first stored assessment is replayed on the evidence of the day before d (a
rolling time split): candidates are the active employees hired by then, with the job
profile they held then (job history) if it is at most two levels below the role's;
estimates come from the served estimate SQL as of that day and ratings are those given by
then. rank_successors ranks them; recall@10 and MRR@10 of the actual appointee are
reported next to "same org unit as the key role (or below it), highest latest rating"
and random, over the same candidates. Potential and HR readiness are left out (no
potential or slate is stored as of those days), so every candidate gets the neutral value.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from talent_recommender.evaluation.metrics import (
    RankingScores,
    leads_over_baselines,
)
from talent_recommender.profiles.estimates import compute_estimates
from talent_recommender.profiles.inference import LoadedModel, fit_skills
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
from talent_recommender.successors.scoring import Candidate, RoleTarget, rank_successors

K = 10
TRAIN_SHARE = 0.8
KEY_ROLE_LEVEL = 5
APPOINTMENT_HISTORY_DAYS = 365
CANDIDATE_LEVELS_BELOW = 2
SKILL_METHODS = ("recommender", "random", "competency_mean", "job_profile_mean")


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
    intervals: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    """Per baseline and metric: the 95% bootstrap interval of (recommender - baseline)."""
    held_out_assessments: int = 0
    mae: dict[str, float] = field(default_factory=dict)
    model_metrics: dict[str, float] = field(default_factory=dict)
    appointments: int = 0
    candidates_per_appointment: float = 0.0
    successors: dict[str, dict[str, float]] = field(default_factory=dict)
    successor_intervals: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    appointee_ranks: list[int] = field(default_factory=list)
    """The appointee's rank (1 = first) among all candidates, per appointment."""


def evaluate(session: Session, *, split: dt.date | None = None, seed: int = 0) -> Report | None:
    evidence = load(session)
    split = split or default_split(evidence)
    if split is None:
        return None
    report = Report(split=split)

    estimates: dict[uuid.UUID, dict[str, LevelEstimate]] = defaultdict(dict)
    evidence_means: dict[uuid.UUID, dict[str, tuple[float, float]]] = defaultdict(dict)
    model: LoadedModel | None = None
    fitted = fit_skills(session, rank=16, as_of=split, seed=seed)
    if fitted is not None:
        report.model_metrics = fitted.model.metrics
        model = LoadedModel(version=0, trained_at=dt.datetime.now(dt.UTC), skills=fitted.model)
        for row in fitted.estimates:
            estimates[row.employee_id][row.competency_code] = LevelEstimate(
                row.level, row.confidence, Basis.EVIDENCE
            )
            evidence_means[row.employee_id][row.competency_code] = (
                row.evidence_level,
                row.evidence_precision,
            )

    def estimate_with_inferred(employee: uuid.UUID, wanted: list[str]) -> dict[str, LevelEstimate]:
        found = dict(estimates.get(employee, {}))
        if model is not None:
            inferred = model.infer(
                evidence.profile_of.get(employee), evidence_means.get(employee, {}), wanted=wanted
            )
            for code, i in inferred.items():
                found[code] = LevelEstimate(i.level, i.confidence, Basis.INFERRED)
        return found

    _rankings(evidence, split, estimate_with_inferred, report, seed=seed)
    _skills(evidence, split, estimates, estimate_with_inferred, report, seed=seed)
    _successors(session, evidence, report, seed=seed)
    return report


@dataclass(frozen=True)
class Person:
    employee_id: uuid.UUID
    org_unit_code: str | None
    job_profile_code: str | None
    hire_date: dt.date | None
    active: bool
    jobs: tuple[tuple[str, dt.date, dt.date | None], ...]
    """Earlier jobs from job history: (job profile, start, end)."""

    def profile_on(self, day: dt.date) -> str | None:
        """The job profile held on `day` (None before hire)."""
        if self.hire_date is None or self.hire_date > day:
            return None
        for code, start, end in self.jobs:
            if start <= day and (end is None or day <= end):
                return code
        return self.job_profile_code

    def appointed_on(self) -> dt.date | None:
        """The day the current job profile started after an earlier, different one."""
        earlier = [end for code, _, end in self.jobs if end is not None]
        if not earlier or all(code == self.job_profile_code for code, _, _ in self.jobs):
            return None
        return max(earlier) + dt.timedelta(days=1)


def _people(session: Session) -> dict[uuid.UUID, Person]:
    jobs: dict[uuid.UUID, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for employee, code, start, end in session.execute(
        text("SELECT employee_id, job_profile_code, start_date, end_date FROM job_history")
    ):
        jobs[employee].append((code, start, end))
    return {
        e: Person(e, unit, profile, hired, status == "active", tuple(sorted(jobs.get(e, []))))
        for e, unit, profile, hired, status in session.execute(
            text(
                "SELECT employee_id, org_unit_code, job_profile_code, hire_date, status"
                " FROM employee"
            )
        )
    }


def _successors(session: Session, evidence: Evidence, report: Report, *, seed: int) -> None:
    people = _people(session)
    profiles: dict[str, tuple[str, str, int]] = {
        code: (title, family, level)
        for code, title, family, level in session.execute(
            text("SELECT code, title, family, level FROM job_profile")
        )
    }
    ratings: dict[uuid.UUID, list[tuple[dt.date, str, int]]] = defaultdict(list)
    for employee, cycle, rating, rated_on in session.execute(
        text("SELECT employee_id, cycle_code, overall_rating, rated_on FROM rating")
    ):
        ratings[employee].append((rated_on, cycle, rating))
    first_assessed = min((d for _, _, _, d in evidence.assessments), default=None)
    if first_assessed is None:
        return
    cut = first_assessed + dt.timedelta(days=APPOINTMENT_HISTORY_DAYS)
    appointments = sorted(
        (day, person.employee_id, code)
        for person in people.values()
        if person.active
        and (code := person.job_profile_code) is not None
        and code in profiles
        and profiles[code][2] >= KEY_ROLE_LEVEL
        and (day := person.appointed_on()) is not None
        and day >= cut
    )
    rng = random.Random(seed)
    scores = {
        name: RankingScores(K) for name in ("recommender", "random", "same_org_unit_top_rating")
    }
    model: LoadedModel | None = None
    if appointments:
        # One model, fitted on the evidence of the day before the first replayed
        # appointment: no later evidence leaks into any replay.
        first_day = appointments[0][0] - dt.timedelta(days=1)
        fitted = fit_skills(session, rank=16, as_of=first_day, seed=seed)
        if fitted is not None:
            model = LoadedModel(version=0, trained_at=dt.datetime.now(dt.UTC), skills=fitted.model)
    candidates_seen = 0
    for day, appointee_id, code in appointments:
        appointee = people[appointee_id]
        before = day - dt.timedelta(days=1)
        title, family, level = profiles[code]
        unit = appointee.org_unit_code
        role = RoleTarget(
            key_role_id=uuid.uuid5(appointee_id, "key-role"),
            title=title,
            job_profile_code=code,
            job_family=family,
            job_level=level,
            org_unit_code=unit,
            incumbent_id=None,
            requirements=evidence.requirements.get(code, []),
        )
        pool: dict[uuid.UUID, str] = {}
        for person in people.values():
            held = person.profile_on(before)
            if not person.active or held is None or held not in profiles:
                continue
            if level - CANDIDATE_LEVELS_BELOW <= profiles[held][2] <= level:
                pool[person.employee_id] = held
        if appointee_id not in pool:
            continue
        wanted = [r.competency_code for r in role.requirements]
        known: dict[uuid.UUID, dict[str, LevelEstimate]] = defaultdict(dict)
        means: dict[uuid.UUID, dict[str, tuple[float, float]]] = defaultdict(dict)
        rows = compute_estimates(
            session,
            list(pool),
            model=model.skills if model else None,
            as_of=before,
            profiles=pool,
        )
        for row in rows:
            means[row.employee_id][row.competency_code] = (
                row.evidence_level,
                row.evidence_precision,
            )
            if row.competency_code in wanted:
                known[row.employee_id][row.competency_code] = LevelEstimate(
                    row.level, row.confidence, Basis.EVIDENCE
                )
        if model is not None:
            for e, held in pool.items():
                missing = [c for c in wanted if c not in known[e]]
                for code, i in model.infer(held, means[e], wanted=missing).items():
                    known[e][code] = LevelEstimate(i.level, i.confidence, Basis.INFERRED)
        rated = {
            e: [(cycle, r) for on, cycle, r in sorted(ratings.get(e, []), reverse=True) if on < day]
            for e in pool
        }
        candidates = [
            Candidate(
                employee_id=e,
                org_unit_code=people[e].org_unit_code,
                job_profile_code=held,
                job_title=profiles[held][0],
                job_family=profiles[held][1],
                job_level=profiles[held][2],
                estimates=known.get(e, {}),
                ratings=rated[e],
                potential=None,
                assessed_readiness=None,
            )
            for e, held in sorted(pool.items())
        ]
        ranked = rank_successors(role, candidates, names=evidence.names, first=len(candidates))
        order = [str(s.employee_id) for s in ranked]
        relevant = {str(appointee_id)}
        report.appointee_ranks.append(order.index(str(appointee_id)) + 1)
        scores["recommender"].add(order, relevant)
        ids = sorted(str(e) for e in pool)
        scores["random"].add(rng.sample(ids, min(K, len(ids))), relevant)
        in_unit = sorted(
            str(e)
            for e in pool
            if unit is not None
            and (
                people[e].org_unit_code == unit
                or (people[e].org_unit_code or "").startswith(f"{unit} / ")
            )
        )
        rng.shuffle(in_unit)  # ties between equal ratings fall randomly
        in_unit.sort(key=lambda e: -(rated[uuid.UUID(e)][0][1] if rated[uuid.UUID(e)] else 0))
        scores["same_org_unit_top_rating"].add(in_unit, relevant)
        candidates_seen += len(candidates)
        report.appointments += 1
    if report.appointments:
        report.candidates_per_appointment = candidates_seen / report.appointments
        report.successors = {name: s.means() for name, s in scores.items()}
        report.successor_intervals = leads_over_baselines(scores, seed=seed)


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
    report.intervals = leads_over_baselines(scores, seed=seed)


def _top(counts: Counter[str], exclude: set[str], k: int) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [c for c, _ in ranked if c not in exclude][:k]


def _skills(
    evidence: Evidence,
    split: dt.date,
    estimates: dict[uuid.UUID, dict[str, LevelEstimate]],
    estimate_with_inferred: Any,
    report: Report,
    *,
    seed: int = 0,
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

    def competency_mean(competency: str) -> float:
        levels = by_competency.get(competency)
        return sum(levels) / len(levels) if levels else 3.0

    rng = random.Random(seed)
    errors: dict[str, float] = dict.fromkeys(SKILL_METHODS, 0.0)
    covered = 0
    for employee, competency, level in held:
        found = estimate_with_inferred(employee, [competency]).get(competency)
        if found is not None:
            covered += 1
        ours = found.level if found is not None else baseline(employee, competency)
        errors["recommender"] += abs(ours - level)
        errors["random"] += abs(rng.randint(1, 5) - level)
        errors["competency_mean"] += abs(competency_mean(competency) - level)
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
    lines += _comparisons(
        report.rankings,
        report.intervals,
        {"precision": "precision@10", "recall": "recall@10", "ndcg": "NDCG@10", "mrr": "MRR"},
    )
    lines.append("")
    if report.mae:
        mae = report.mae
        lines += [
            f"skills profile: {report.held_out_assessments} held-out assessments "
            f"({mae['recommender_coverage']:.0%} with an estimate; the rest use the baseline)",
        ]
        lines += [f"  MAE {name:24} {mae[name]:.4f}" for name in SKILL_METHODS]
        for name in SKILL_METHODS[1:]:
            lines.append(
                f"  vs {name}: MAE {_ratio(mae['recommender'], mae[name])}"
                + (f", {mae['recommender'] / mae[name] - 1:+.1%} error" if mae[name] else "")
            )
    else:
        lines.append("skills profile: no held-out assessments")
    lines.append("")
    if report.successors:
        ranks = sorted(report.appointee_ranks)
        lines += [
            f"successors: {report.appointments} appointments into key roles, each on the "
            f"evidence of the day before ({report.candidates_per_appointment:.0f} candidates "
            "each on average)",
            f"  {'':28} {'recall@10':>10} {'MRR':>6}",
        ]
        for name, m in report.successors.items():
            lines.append(f"  {name:28} {m['recall']:10.4f} {m['mrr']:6.4f}")
        lines += _comparisons(
            report.successors, report.successor_intervals, {"recall": "recall@10", "mrr": "MRR"}
        )
        lines.append(
            f"  appointee's rank among all candidates: median {ranks[len(ranks) // 2]}, "
            f"best {ranks[0]}, worst {ranks[-1]}"
        )
    else:
        lines.append("successors: no appointments into key roles to replay")
    if report.model_metrics:
        lines.append(model_line(report.model_metrics))
    return "\n".join(lines)


def model_line(m: dict[str, float]) -> str:
    nan = float("nan")
    return (
        "skills model, leave-one-out on 5% of the training evidence: MAE "
        f"{m.get('heldout_mae', nan):.4f} vs job-profile prior "
        f"{m.get('heldout_mae_profile_prior', nan):.4f}; "
        f"{m.get('heldout_coverage_80', nan):.0%} inside the 80% interval"
    )


def _comparisons(
    results: dict[str, dict[str, float]],
    intervals: dict[str, dict[str, tuple[float, float]]],
    labels: dict[str, str],
) -> list[str]:
    """One line per baseline and metric: ratio, difference and the difference's 95%
    bootstrap interval (an interval above 0: the lead is not chance)."""
    ours = results.get("recommender")
    if not ours:
        return []
    lines = []
    for name, theirs in results.items():
        if name == "recommender":
            continue
        lines.append(f"  vs {name} (difference, 95% bootstrap interval):")
        for metric, label in labels.items():
            low, high = intervals.get(name, {}).get(metric, (math.nan, math.nan))
            lines.append(
                f"    {label:13} {_ratio(ours[metric], theirs[metric])} [{low:+.4f}, {high:+.4f}]"
            )
    return lines


def _ratio(ours: float, theirs: float) -> str:
    if theirs == 0:
        return f"baseline is 0 ({ours - theirs:+.4f})"
    return f"{ours / theirs:.2f}x ({ours - theirs:+.4f})"
