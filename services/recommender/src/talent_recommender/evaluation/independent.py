"""`talent recommender evaluate --independent`: the recommender on an organisation it was
never shaped on.

evaluation/occupational.py generates the organisation from public occupational data
(O*NET), with true skill levels the recommender never sees. This module loads its CSV
rows into a scratch recommender database, refits with the served refit, and asks the
served services the questions a client would, for three tasks with their ground truth:

- **Skills**: the withheld formal assessments against the served estimate (stored
  posterior, or inferred), next to the required level of the person's current job (the
  competency's mean assessed level where the job does not require it), the job
  profile's mean assessed level and the competency's mean; also the error against the
  true levels, and whether the stated confidence holds (the share of true levels within
  half a level of the estimate, next to the mean confidence).
- **Courses**: `RecommenderService.recommend_courses(first=10)` for active employees with
  at least one relevant course, NDCG@10 graded by `course_relevance` (a course that
  closes a real gap at the right level), next to popularity in the job profile,
  popularity and random.
- **Successors**: `SuccessorService.suggest(first=10)` for every key role, recall@10 of
  the `best_fitting` ten people, next to "same org unit as the role, by latest rating",
  "one level below in the same job family, by latest rating" and random.

Each lead comes with the paired bootstrap interval of evaluation/metrics.py. The
generator and these definitions are not changed to improve a figure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from talent_platform.auth import Principal, Role
from talent_platform.db.session import async_url
from talent_recommender.evaluation.loading import (
    ASSESSMENT_COLUMNS,
    COMPLETION_COLUMNS,
    EMPLOYEE_COLUMNS,
    KEY_ROLE_COLUMNS,
    copy_rows,
)
from talent_recommender.evaluation.metrics import (
    RankingScores,
    difference_interval,
    leads_over_baselines,
)
from talent_recommender.evaluation.occupational import (
    OccupationalOrg,
    best_fitting,
    course_relevance,
)
from talent_recommender.profiles.inference import refit
from talent_recommender.profiles.posterior import INTERVAL_80, spread_of
from talent_recommender.recommendations.service import RecommenderService
from talent_recommender.successors.service import SuccessorService

K = 10
COURSE_EMPLOYEES = 600
"""At most this many employees (a seeded sample) are asked for courses."""
TARGETS = {
    "skills": "MAE at least 30% below the required level of the current job",
    "courses": "NDCG@10 at least 2.5x popularity in the job profile",
    "successors": "recall@10 at least 3x same org unit",
}
NAMESPACE = "talent-independent"
ADMIN = Principal(subject="evaluation", employee_id=None, roles=frozenset({Role.ADMIN}))


def employee_uuid(employee_id: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}/{employee_id}")


def key_role_uuid(code: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}/key-role/{code}")


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load(session: Session, org: OccupationalOrg) -> None:
    """The organisation's CSV rows into the recommender's tables, as its consumers would
    have stored them from the owning services' events."""
    rows = org.rows
    now = dt.datetime.now(dt.UTC)
    copy_rows(
        session,
        "competency",
        ("code", "name", "tier"),
        ((r["code"], r["name"], r["tier"]) for r in rows["competencies"]),
    )
    copy_rows(
        session,
        "job_profile",
        ("code", "title", "family", "level"),
        ((r["code"], r["title"], r["family"], int(r["level"])) for r in rows["job-profiles"]),
    )
    copy_rows(
        session,
        "job_requirement",
        ("job_profile_code", "competency_code", "required_level", "importance"),
        (
            (
                r["job_profile_code"],
                r["competency_code"],
                int(r["required_level"]),
                int(r["importance"]),
            )
            for r in rows["job-profile-competencies"]
        ),
    )
    current_start: dict[str, dt.date] = {}
    for h in rows["job-history"]:
        if not h["end_date"]:
            current_start[h["employee_id"]] = dt.date.fromisoformat(h["start_date"])
    copy_rows(
        session,
        "employee",
        EMPLOYEE_COLUMNS,
        (
            (
                employee_uuid(r["employee_id"]),
                r["name"],
                r["status"] or "active",
                employee_uuid(r["manager_id"]) if r["manager_id"] else None,
                r["org_unit"],
                r["job_profile_code"],
                _date(r["hire_date"]),
                current_start.get(r["employee_id"], _date(r["hire_date"])),
                now,
            )
            for r in rows["employees"]
        ),
    )
    copy_rows(
        session,
        "job_history",
        ("employee_id", "job_profile_code", "start_date", "end_date"),
        (
            (
                employee_uuid(r["employee_id"]),
                r["job_profile_code"],
                _date(r["start_date"]),
                _date(r["end_date"]),
            )
            for r in rows["job-history"]
        ),
    )
    copy_rows(
        session,
        "course",
        ("code", "title", "mandatory"),
        ((r["code"], r["title"], r["mandatory"] == "true") for r in rows["courses"]),
    )
    copy_rows(
        session,
        "course_skill",
        ("course_code", "competency_code", "level"),
        ((r["course_code"], r["competency_code"], int(r["level"])) for r in rows["course-skills"]),
    )
    copy_rows(
        session,
        "completion",
        COMPLETION_COLUMNS,
        (
            (
                uuid.uuid4(),
                employee_uuid(r["employee_id"]),
                r["course_code"],
                _date(r["completed_on"]),
                float(r["score"]) if r["score"] else None,
            )
            for r in rows["completions"]
        ),
    )
    copy_rows(
        session,
        "assessment",
        ASSESSMENT_COLUMNS,
        (
            (
                uuid.uuid4(),
                employee_uuid(r["employee_id"]),
                r["competency_code"],
                int(r["level"]),
                r["source"],
                _date(r["assessed_on"]),
            )
            for r in rows["assessments"]
        ),
    )
    copy_rows(
        session,
        "rating",
        ("employee_id", "cycle_code", "overall_rating", "rated_on"),
        (
            (
                employee_uuid(r["employee_id"]),
                r["cycle_code"],
                int(r["overall_rating"]),
                _date(r["rated_on"]),
            )
            for r in rows["ratings"]
        ),
    )
    latest: dict[str, dict[str, str]] = {}
    for r in rows["potential"]:
        if (
            r["employee_id"] not in latest
            or r["assessed_on"] > latest[r["employee_id"]]["assessed_on"]
        ):
            latest[r["employee_id"]] = r
    copy_rows(
        session,
        "potential",
        ("employee_id", "assessment_id", "potential", "assessed_on"),
        (
            (employee_uuid(e), uuid.uuid4(), r["potential"], _date(r["assessed_on"]))
            for e, r in latest.items()
        ),
    )
    session.execute(
        text(
            "INSERT INTO performance_summary (employee_id, recent_mean, ratings)"
            " SELECT employee_id, avg(overall_rating), count(*) FROM ("
            "  SELECT employee_id, overall_rating, row_number() OVER ("
            "   PARTITION BY employee_id ORDER BY rated_on DESC, cycle_code DESC) AS n"
            "  FROM rating) recent WHERE n <= 2 GROUP BY employee_id"
        )
    )
    unit_of = {r["employee_id"]: r["org_unit"] for r in rows["employees"]}
    copy_rows(
        session,
        "key_role",
        KEY_ROLE_COLUMNS,
        (
            (
                key_role_uuid(r["code"]),
                r["code"],
                r["title"],
                r["job_profile_code"],
                employee_uuid(r["incumbent_id"]) if r["incumbent_id"] else None,
                _role_unit(r, unit_of, rows["employees"]),
                r["criticality"],
                now,
            )
            for r in rows["key-roles"]
        ),
    )


def _role_unit(
    role: dict[str, str], unit_of: dict[str, str], employees: list[dict[str, str]]
) -> str | None:
    """The incumbent's org unit; for a vacant role, the unit most holders of its job
    profile work in."""
    if role["incumbent_id"]:
        return unit_of.get(role["incumbent_id"])
    holders = Counter(
        e["org_unit"] for e in employees if e["job_profile_code"] == role["job_profile_code"]
    )
    return holders.most_common(1)[0][0] if holders else None


@dataclass
class IndependentReport:
    employees: int
    withheld_assessments: int = 0
    mae: dict[str, float] = field(default_factory=dict)
    mae_truth: dict[str, float] = field(default_factory=dict)
    skill_errors: dict[str, list[float]] = field(default_factory=dict)
    mean_confidence: float = 0.0
    within_half_level: float = 0.0
    inside_80: float = 0.0
    course_employees: int = 0
    courses: dict[str, dict[str, float]] = field(default_factory=dict)
    course_intervals: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    key_roles: int = 0
    successors: dict[str, dict[str, float]] = field(default_factory=dict)
    successor_intervals: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    other_unit_share: float = 0.0
    model_metrics: dict[str, Any] = field(default_factory=dict)


def evaluate(
    engine: Engine, url: str, org: OccupationalOrg, *, rank: int = 16, seed: int = 0
) -> IndependentReport:
    """Load, refit and evaluate; `url` is the scratch database's (for the async services)."""
    with Session(engine) as session, session.begin():
        load(session, org)
    with Session(engine) as session, session.begin():
        model_row = refit(session, rank=rank)
        report = IndependentReport(
            employees=len(org.rows["employees"]), model_metrics=dict(model_row.metrics)
        )
    asyncio.run(_served(url, org, report, seed=seed))
    return report


async def _skills(session: AsyncSession, org: OccupationalOrg, report: IndependentReport) -> None:
    service = RecommenderService(session, ADMIN)
    requirements = org.requirements
    by_profile: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_competency: dict[str, list[int]] = defaultdict(list)
    for a in org.rows["assessments"]:
        held = org.current_profiles.get(a["employee_id"], "")
        by_profile[(held, a["competency_code"])].append(int(a["level"]))
        by_competency[a["competency_code"]].append(int(a["level"]))

    def mean(values: Sequence[int]) -> float:
        return sum(values) / len(values) if values else 3.0

    errors: dict[str, list[float]] = defaultdict(list)
    truth_errors: dict[str, list[float]] = defaultdict(list)
    confidences: list[float] = []
    within = inside = 0
    for a in org.withheld_assessments:
        employee, competency, level = a["employee_id"], a["competency_code"], int(a["level"])
        profile = org.current_profiles.get(employee)
        served = (await service.estimates(employee_uuid(employee), wanted=[competency])).get(
            competency
        )
        estimate, confidence = (served.level, served.confidence) if served else (3.0, 0.0)
        required = requirements.get(profile or "", {}).get(competency)
        baselines = {
            "recommender": estimate,
            "required_level_of_current_job": (
                float(required[0]) if required else mean(by_competency[competency])
            ),
            "job_profile_mean": mean(
                by_profile.get((profile or "", competency)) or by_competency[competency]
            ),
            "competency_mean": mean(by_competency[competency]),
        }
        truth = org.true_levels.get((employee, competency))
        for name, value in baselines.items():
            errors[name].append(abs(value - level))
            if truth is not None:
                truth_errors[name].append(abs(value - truth))
        if truth is not None:
            confidences.append(confidence)
            within += abs(estimate - truth) <= 0.5
            inside += abs(estimate - truth) <= INTERVAL_80 * spread_of(confidence)
    report.withheld_assessments = len(org.withheld_assessments)
    report.skill_errors = dict(errors)
    report.mae = {name: sum(v) / len(v) for name, v in errors.items() if v}
    report.mae_truth = {name: sum(v) / len(v) for name, v in truth_errors.items() if v}
    if confidences:
        report.mean_confidence = sum(confidences) / len(confidences)
        report.within_half_level = within / len(confidences)
        report.inside_80 = inside / len(confidences)


async def _served(url: str, org: OccupationalOrg, report: IndependentReport, *, seed: int) -> None:
    engine = create_async_engine(async_url(url))
    try:
        async with AsyncSession(engine) as session:
            await _skills(session, org, report)
        async with AsyncSession(engine) as session:
            await _courses(session, org, report, seed=seed)
            await session.commit()
        async with AsyncSession(engine) as session:
            await _successors(session, org, report, seed=seed)
            await session.commit()
    finally:
        await engine.dispose()


async def _courses(
    session: AsyncSession, org: OccupationalOrg, report: IndependentReport, *, seed: int
) -> None:
    service = RecommenderService(session, ADMIN)
    mandatory = {r["code"] for r in org.rows["courses"] if r["mandatory"] == "true"}
    optional = sorted(r["code"] for r in org.rows["courses"] if r["code"] not in mandatory)
    popularity: Counter[str] = Counter()
    in_profile: dict[str, Counter[str]] = defaultdict(Counter)
    for c in org.rows["completions"]:
        if c["course_code"] in mandatory:
            continue
        popularity[c["course_code"]] += 1
        profile = org.current_profiles.get(c["employee_id"])
        if profile:
            in_profile[profile][c["course_code"]] += 1
    active = [
        e["employee_id"]
        for e in org.rows["employees"]
        if (e["status"] or "active") == "active" and e["job_profile_code"]
    ]
    rng = random.Random(seed)
    asked = [e for e in active if course_relevance(org, e)]
    rng.shuffle(asked)
    asked = sorted(asked[:COURSE_EMPLOYEES])
    scores = {
        name: RankingScores(K)
        for name in ("recommender", "popularity_in_job_profile", "popularity", "random")
    }
    for employee in asked:
        gains = course_relevance(org, employee)
        relevant = set(gains)
        done = org.completed_courses.get(employee, frozenset())
        profile = org.current_profiles.get(employee, "")
        ranked = await service.recommend_courses(employee_uuid(employee), first=K)
        scores["recommender"].add([r.code for r in ranked], relevant, gains)
        scores["popularity_in_job_profile"].add(_top(in_profile[profile], done), relevant, gains)
        scores["popularity"].add(_top(popularity, done), relevant, gains)
        unseen = [c for c in optional if c not in done]
        scores["random"].add(rng.sample(unseen, min(K, len(unseen))), relevant, gains)
    report.course_employees = len(asked)
    report.courses = {name: s.means() for name, s in scores.items()}
    report.course_intervals = leads_over_baselines(scores, seed=seed)


async def _successors(
    session: AsyncSession, org: OccupationalOrg, report: IndependentReport, *, seed: int
) -> None:
    hr = Principal(subject="evaluation", employee_id=None, roles=frozenset({Role.HR_LEADER}))
    service = SuccessorService(session, hr)
    employees = {e["employee_id"]: e for e in org.rows["employees"]}
    active = [e for e, r in employees.items() if (r["status"] or "active") == "active"]
    levels = {r["code"]: int(r["level"]) for r in org.rows["job-profiles"]}
    families = {r["code"]: r["family"] for r in org.rows["job-profiles"]}
    latest_rating: dict[str, tuple[str, int]] = {}
    for r in org.rows["ratings"]:
        previous = latest_rating.get(r["employee_id"])
        if previous is None or r["rated_on"] > previous[0]:
            latest_rating[r["employee_id"]] = (r["rated_on"], int(r["overall_rating"]))
    units = {e: r["org_unit"] for e, r in employees.items()}

    def in_unit_of(employee: str, unit: str | None) -> bool:
        return unit is not None and (
            units[employee] == unit or units[employee].startswith(f"{unit} / ")
        )

    def by_rating(people: Iterable[str]) -> list[str]:
        ordered = list(people)
        rng.shuffle(ordered)  # ties between equal ratings fall randomly
        return sorted(ordered, key=lambda person: -latest_rating.get(person, ("", 0))[1])

    rng = random.Random(seed)
    scores = {
        name: RankingScores(K)
        for name in ("recommender", "same_org_unit", "level_below_same_family", "random")
    }
    suggested = other_unit = 0
    for role in org.rows["key-roles"]:
        code, profile = role["code"], role["job_profile_code"]
        relevant = set(best_fitting(org, code, k=K))
        if not relevant:
            continue
        result = await service.suggest(key_role_uuid(code), first=K)
        by_uuid = {employee_uuid(e): e for e in active}
        ours = [by_uuid[s.suggestion.employee_id] for s in result.suggestions]
        scores["recommender"].add(ours, relevant)
        unit = _role_unit(role, units, [*employees.values()])
        pool = [e for e in active if e != role["incumbent_id"]]
        in_unit = [e for e in pool if in_unit_of(e, unit)]
        scores["same_org_unit"].add(by_rating(in_unit), relevant)
        below = [
            e
            for e in pool
            if families.get(employees[e]["job_profile_code"]) == families.get(profile)
            and levels.get(employees[e]["job_profile_code"], 0) == levels.get(profile, 0) - 1
        ]
        scores["level_below_same_family"].add(by_rating(below), relevant)
        scores["random"].add(rng.sample(pool, min(K, len(pool))), relevant)
        suggested += len(ours)
        other_unit += sum(1 for e in ours if not in_unit_of(e, unit))
        report.key_roles += 1
    report.successors = {name: s.means() for name, s in scores.items()}
    report.successor_intervals = leads_over_baselines(scores, seed=seed)
    report.other_unit_share = other_unit / suggested if suggested else 0.0


def _top(counts: Counter[str], exclude: Iterable[str]) -> list[str]:
    excluded = set(exclude)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [c for c, _ in ranked if c not in excluded][:K]


def _ratio(ours: float, theirs: float) -> str:
    if theirs == 0:
        return f"baseline is 0 ({ours - theirs:+.4f})"
    return f"{ours / theirs:.2f}x ({ours - theirs:+.4f})"


def _met(condition: bool) -> str:
    return "met" if condition else "NOT met"


def render(report: IndependentReport, *, seed: int = 0) -> str:
    lines = [
        f"independent organisation from O*NET occupations: {report.employees} employees",
        "",
        f"skills: {report.withheld_assessments} withheld formal assessments",
        f"  {'':34} {'MAE':>7} {'vs truth':>9}",
    ]
    for name, value in report.mae.items():
        lines.append(f"  {name:34} {value:7.4f} {report.mae_truth.get(name, math.nan):9.4f}")
    ours = report.skill_errors.get("recommender", [])
    for name, values in report.skill_errors.items():
        if name == "recommender" or not values:
            continue
        low, high = difference_interval(values, ours, seed=seed)
        change = report.mae["recommender"] / report.mae[name] - 1
        lines.append(
            f"  vs {name}: {change:+.1%} error (its MAE minus ours, 95% interval "
            f"[{low:+.4f}, {high:+.4f}])"
        )
    baseline = report.mae.get("required_level_of_current_job", math.nan)
    lines.append(
        f"  target ({TARGETS['skills']}): "
        f"{_met(report.mae.get('recommender', math.inf) <= 0.7 * baseline)}"
    )
    lines.append(
        f"  confidence: mean stated {report.mean_confidence:.2f} (the chance of being within "
        f"half a level); true level within half a level {report.within_half_level:.0%}; "
        f"inside the 80% interval {report.inside_80:.0%}"
    )
    lines += ["", f"courses (k={K}): {report.course_employees} employees with a real gap"]
    lines += _table(report.courses, report.course_intervals, ("ndcg", "precision", "mrr"))
    theirs = report.courses.get("popularity_in_job_profile", {}).get("ndcg", math.nan)
    lines.append(
        f"  target ({TARGETS['courses']}): "
        f"{_met(report.courses.get('recommender', {}).get('ndcg', 0) >= 2.5 * theirs)}"
    )
    lines += [
        "",
        f"successors (k={K}): {report.key_roles} key roles, relevant = the ten truly "
        "best-fitting people of the whole organisation",
    ]
    lines += _table(report.successors, report.successor_intervals, ("recall", "ndcg", "mrr"))
    theirs = report.successors.get("same_org_unit", {}).get("recall", math.nan)
    lines.append(
        f"  target ({TARGETS['successors']}): "
        f"{_met(report.successors.get('recommender', {}).get('recall', 0) >= 3 * theirs)}"
    )
    lines.append(
        f"  {report.other_unit_share:.0%} of the suggestions come from outside the role's org unit"
    )
    m = report.model_metrics
    if m:
        lines += [
            "",
            "skills model, leave-one-out on 5% of the evidence: MAE "
            f"{m.get('heldout_mae', math.nan):.4f} vs job-profile prior "
            f"{m.get('heldout_mae_profile_prior', math.nan):.4f}; "
            f"{m.get('heldout_coverage_80', math.nan):.0%} inside the 80% interval",
        ]
    return "\n".join(lines)


LABELS = {"ndcg": "NDCG@10", "precision": "precision@10", "recall": "recall@10", "mrr": "MRR"}


def _table(
    results: dict[str, dict[str, float]],
    intervals: dict[str, dict[str, tuple[float, float]]],
    metrics: Sequence[str],
) -> list[str]:
    lines = ["  " + f"{'':34}" + "".join(f" {LABELS[m]:>12}" for m in metrics)]
    for name, values in results.items():
        lines.append(f"  {name:34}" + "".join(f" {values[m]:12.4f}" for m in metrics))
    ours = results.get("recommender", {})
    for name, values in results.items():
        if name == "recommender":
            continue
        parts = []
        for m in metrics:
            low, high = intervals.get(name, {}).get(m, (math.nan, math.nan))
            parts.append(f"{LABELS[m]} {_ratio(ours[m], values[m])} [{low:+.4f}, {high:+.4f}]")
        lines.append(f"  vs {name}: " + "; ".join(parts))
    return lines
