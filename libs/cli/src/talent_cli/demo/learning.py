"""The demo competency framework, job profile requirements, course catalog and
completions."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from talent_cli.demo.catalogue import (
    COMPLIANCE_COURSES,
    CORE_COMPETENCIES,
    EXECUTIVE_PROFILE,
    FUNCTIONS,
    LEADERSHIP_COMPETENCIES,
    CompetencyDef,
)
from talent_cli.demo.organisation import Person, profile_code

ALL_COMPETENCIES: tuple[CompetencyDef, ...] = (
    CORE_COMPETENCIES
    + tuple(c for f in FUNCTIONS for c in f.competencies)
    + LEADERSHIP_COMPETENCIES
)

# Required level by job level 1-6: rising (never falling) with the level.
CORE_LEVEL = {1: 2, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4}
FUNCTIONAL_LEVEL = {1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4}
LEADERSHIP_LEVEL = {4: 2, 5: 3, 6: 4}
LEADERSHIP_COUNT = {4: 4, 5: 7, 6: 10}
COMPLETIONS_WEIGHTS = (8, 6, 10, 12, 13, 12, 11, 9, 8, 6, 5)  # 0..10 completions
SCORED_SHARE = 0.8
# Each employee has a few competencies of their role they are weakest in ("development
# focus"): their optional courses lean towards those, and their assessments rate them
# below the requirement. That is the signal a recommender should find.
FOCUS_COMPETENCIES = 2
FOCUS_WEIGHT = 6.0
ASSESSMENT_SOURCES = ("manager", "self", "peer", "assessment")
ASSESSMENT_SOURCE_WEIGHTS = (0.5, 0.2, 0.15, 0.15)
REVIEW_YEARS = 4
# The true levels behind the assessments (see `assessments`): the spread of people's
# levels around their role's requirement, how much of a standard deviation of drive adds,
# the yearly drift, and the share of the distance to a course's level a completion closes.
INDIVIDUAL_SD = 0.5
SKILL_DRIVE = 0.3
YEARLY_DRIFT_SD = 0.15
COURSE_UPLIFT = 0.4
# Course choice around the person's true level (see `completions`): a course this far at
# or below it is picked this much less often, and so is one more than MAX_STRETCH_PICKED
# above it.
KNOWN_MARGIN = 0.5
KNOWN_COURSE_FACTOR = 0.25
MAX_STRETCH_PICKED = 2.0
STRETCH_COURSE_FACTOR = 0.3
# How each source observes the true level: (bias, noise standard deviation).
SOURCE_ERROR = {
    "assessment": (0.0, 0.3),
    "manager": (0.0, 0.45),
    "peer": (0.1, 0.6),
    "self": (0.5, 0.6),
}


@dataclass(frozen=True)
class Requirement:
    profile_code: str
    competency_code: str
    level: int
    importance: int


@dataclass(frozen=True)
class Course:
    code: str
    title: str
    description: str
    hours: float
    modality: str
    mandatory: bool
    recertify_months: int | None
    skills: tuple[tuple[str, int], ...]
    """(competency code, level taught); the first is the main one."""

    @property
    def level(self) -> int:
        return self.skills[0][1]


@dataclass(frozen=True)
class Assessment:
    employee_number: str
    competency_code: str
    level: int
    assessed_on: dt.date
    source: str


@dataclass(frozen=True)
class Completion:
    employee_number: str
    course_code: str
    completed_on: dt.date
    score: int | None


def job_profiles() -> list[tuple[str, str, str, int]]:
    """(code, title, family, level) of every job profile."""
    rows = [(EXECUTIVE_PROFILE[0], EXECUTIVE_PROFILE[1], "Executive", 6)]
    for function in FUNCTIONS:
        for level, title in enumerate(function.titles, start=1):
            rows.append((profile_code(function, level), title, function.name, level))
    return rows


def requirements() -> list[Requirement]:
    """Core competencies for every profile, the family's functional ones, and leadership
    competencies from level 4; required levels rise with the profile level."""
    result: list[Requirement] = []
    code = EXECUTIVE_PROFILE[0]
    result += [Requirement(code, c.code, 4, 3) for c in CORE_COMPETENCIES]
    result += [Requirement(code, c.code, 5, 5) for c in LEADERSHIP_COMPETENCIES]
    for function in FUNCTIONS:
        for level in range(1, 7):
            code = profile_code(function, level)
            for c in CORE_COMPETENCIES:
                importance = 4 if c.code == "CORE-INTEG" else 3
                result.append(Requirement(code, c.code, CORE_LEVEL[level], importance))
            for i, c in enumerate(function.competencies):
                importance = 5 if i < 2 and level <= 3 else 4
                result.append(Requirement(code, c.code, FUNCTIONAL_LEVEL[level], importance))
            if level >= 4:
                for i, c in enumerate(LEADERSHIP_COMPETENCIES[: LEADERSHIP_COUNT[level]]):
                    importance = 5 if i < 2 else 4
                    result.append(Requirement(code, c.code, LEADERSHIP_LEVEL[level], importance))
    return result


def courses(rng: random.Random) -> list[Course]:
    """Two or three courses per competency (levels 2, 3 and on every other one 4 or 5),
    plus the mandatory compliance courses."""
    catalog: list[Course] = []
    for c in COMPLIANCE_COURSES:
        catalog.append(
            Course(
                c.code,
                c.title,
                c.description,
                c.hours,
                "e-learning",
                True,
                c.recertify_months,
                ((c.competency_code, c.level),),
            )
        )
    for index, competency in enumerate(ALL_COMPETENCIES):
        levels = [2, 3] + ([4 if index % 4 == 0 else 5] if index % 2 == 0 else [])
        for level in levels:
            title, modality, hours = _course_shape(competency.name, level, rng)
            skills: list[tuple[str, int]] = [(competency.code, level)]
            if level >= 3:
                related = _related(competency, rng)
                skills.append((related.code, max(1, level - 1)))
            catalog.append(
                Course(
                    code=f"CRS-{competency.code}-{level}",
                    title=title,
                    description=f"{_LEVEL_WORDS[level]} course. {competency.description}",
                    hours=hours,
                    modality=modality,
                    mandatory=False,
                    recertify_months=None,
                    skills=tuple(skills),
                )
            )
    return catalog


_LEVEL_WORDS = {2: "An introductory", 3: "A practitioner", 4: "An advanced", 5: "An expert"}


def _course_shape(name: str, level: int, rng: random.Random) -> tuple[str, str, float]:
    if level == 2:
        return f"{name} Foundations", "e-learning", rng.choice((1.5, 2.0, 3.0, 4.0))
    if level == 3:
        return (
            f"{name} in Practice",
            rng.choice(("virtual", "classroom", "blended")),
            rng.choice((4.0, 6.0, 8.0)),
        )
    if level == 4:
        return f"Advanced {name}", rng.choice(("classroom", "blended")), rng.choice((8.0, 12.0))
    return f"{name} Masterclass", "classroom", rng.choice((12.0, 16.0))


def _related(competency: CompetencyDef, rng: random.Random) -> CompetencyDef:
    """A second competency a course also teaches: core for functional courses, another one
    of the same tier otherwise."""
    if competency.tier == "functional":
        pool = CORE_COMPETENCIES
    elif competency.tier == "core":
        pool = tuple(c for c in CORE_COMPETENCIES if c.code != competency.code)
    else:
        pool = tuple(c for c in LEADERSHIP_COMPETENCIES if c.code != competency.code)
    return rng.choice(pool)


def completions(
    people: list[Person],
    catalog: list[Course],
    rng: random.Random,
    *,
    as_of: dt.date,
    seed: int = 0,
) -> list[Completion]:
    """0-10 completions per employee: some compliance courses, then courses of their core,
    functional and (for managers) leadership competencies near their level. Like real
    learners they lean towards their development focus and towards courses a step above
    what they know (`starting_levels`): a course at or below their level, or far above
    it, is chosen less often."""
    by_prefix: dict[str, list[Course]] = {}
    for course in catalog:
        if course.mandatory:
            continue
        prefix = course.skills[0][0].split("-")[0]
        by_prefix.setdefault(prefix, []).append(course)
    mandatory = [c for c in catalog if c.mandatory]
    result: list[Completion] = []
    for person in people:
        count = rng.choices(range(len(COMPLETIONS_WEIGHTS)), weights=COMPLETIONS_WEIGHTS)[0]
        if count == 0:
            continue
        pool = by_prefix.get("CORE", []) + by_prefix.get(person.family_prefix, [])
        if person.level >= 4:
            pool += by_prefix.get("LEAD", [])
        pool = [c for c in pool if c.level <= min(5, person.level + 2)]
        picks = rng.sample(mandatory, min(len(mandatory), rng.randint(1, 4), count))
        focus = set(development_focus(person))
        known = starting_levels(person, seed=seed)
        weights = [
            (FOCUS_WEIGHT if c.skills[0][0] in focus else 1.0)
            * _suitability(c.level, known.get(c.skills[0][0]))
            for c in pool
        ]
        picks += _weighted_sample(pool, weights, min(len(pool), count - len(picks)), rng)
        earliest = person.hire_date + dt.timedelta(days=7)
        span = max(0, (as_of - earliest).days)
        for course in picks:
            if course.recertify_months:
                # Recent enough that many are still valid, some due for recertification.
                window = min(span, course.recertify_months * 31 + 90)
                completed = as_of - dt.timedelta(days=rng.randint(0, window))
            else:
                completed = earliest + dt.timedelta(days=rng.randint(0, span))
            score = None
            if rng.random() < SCORED_SHARE:
                score = max(40, min(100, round(rng.gauss(82, 10))))
            result.append(Completion(person.number, course.code, completed, score))
    result.sort(key=lambda c: (c.employee_number, c.completed_on, c.course_code))
    return result


def _suitability(course_level: int, true_level: float | None) -> float:
    """How likely someone at `true_level` picks a course teaching `course_level`,
    relative to a course a step above what they know."""
    if true_level is None:
        return 1.0
    if course_level <= true_level - KNOWN_MARGIN:
        return KNOWN_COURSE_FACTOR
    if course_level > true_level + MAX_STRETCH_PICKED:
        return STRETCH_COURSE_FACTOR
    return 1.0


def _weighted_sample(
    items: list[Course], weights: list[float], k: int, rng: random.Random
) -> list[Course]:
    """k distinct items, each drawn with probability proportional to its weight."""
    keyed = sorted(
        zip(items, weights, strict=True), key=lambda iw: -(rng.random() ** (1.0 / iw[1]))
    )
    return [item for item, _ in keyed[:k]]


_REQUIREMENTS: dict[str, list[Requirement]] = {}


def requirements_of(profile_code: str) -> list[Requirement]:
    if not _REQUIREMENTS:
        for r in requirements():
            _REQUIREMENTS.setdefault(r.profile_code, []).append(r)
    return _REQUIREMENTS.get(profile_code, [])


def starting_levels(person: Person, *, seed: int) -> dict[str, float]:
    """The person's true level (a real number) of every competency their role requires,
    before the years their assessments cover: the development focus 1-2 below the
    requirement, the others around it, shifted by drive and an individual offset. From
    the person's own random stream, so completions and assessments share it."""
    own = random.Random(f"{seed}/skills/{person.number}")
    focus = set(development_focus(person))
    levels: dict[str, float] = {}
    for r in sorted(requirements_of(person.profile_code), key=lambda r: r.competency_code):
        if r.competency_code in focus:
            levels[r.competency_code] = r.level - own.uniform(1.0, 2.0)
        else:
            levels[r.competency_code] = (
                r.level + SKILL_DRIVE * person.drive + own.gauss(0.0, INDIVIDUAL_SD)
            )
    return levels


def development_focus(person: Person) -> tuple[str, ...]:
    """The competencies of the person's role they are weakest in; fixed per person. Any
    requirement above level 1 qualifies (nobody is below the lowest level), core ones
    included: people differ in where they need to grow, so colleagues in the same role
    need different courses."""
    own = random.Random(f"focus/{person.number}")
    codes = sorted(r.competency_code for r in requirements_of(person.profile_code) if r.level > 1)
    return tuple(own.sample(codes, min(FOCUS_COMPETENCIES, len(codes))))


def assessments(
    people: list[Person],
    *,
    seed: int,
    as_of: dt.date,
    catalog: Sequence[Course] = (),
    completed: Sequence[Completion] = (),
) -> list[Assessment]:
    """Yearly competency assessments (the last REVIEW_YEARS years of employment) of 2-6
    competencies each employee's role requires, the same ones every year. They are the
    demo's `assessments` file (imported by performance) and the held-out evidence of the
    recommender's offline evaluation (`talent recommender evaluate --demo`).

    Behind the ratings is a true level per person and competency that persists: the
    development focus starts 1-2 below the requirement, the others around it, shifted by
    the person's drive and an individual offset. It drifts a little from year to year,
    and each completed course on the competency closes part of the distance to the level
    the course teaches (when that is higher). An assessment observes the true level
    through its source: a formal assessment closely, a manager less so, peers more
    noisily, and self-ratings run high."""
    rng = random.Random(f"{seed}/assessments")
    teaches = {c.code: c.skills for c in catalog}
    learned: dict[tuple[str, str], list[tuple[dt.date, int]]] = {}
    for c in completed:
        for code, level in teaches.get(c.course_code, ()):
            learned.setdefault((c.employee_number, code), []).append((c.completed_on, level))
    result: list[Assessment] = []
    for person in people:
        required = requirements_of(person.profile_code)
        if not required:
            continue
        focus = set(development_focus(person))
        chosen = rng.sample(required, min(len(required), rng.randint(2, 6)))
        chosen += [r for r in required if r.competency_code in focus and r not in chosen]
        start_level = starting_levels(person, seed=seed)
        drift = {r.competency_code: 0.0 for r in chosen}
        for year in range(
            max(person.hire_date.year, as_of.year - REVIEW_YEARS + 1), as_of.year + 1
        ):
            start = max(person.hire_date, dt.date(year, 1, 1))
            end = min(as_of, dt.date(year, 12, 31))
            if end <= start:
                continue
            on = start + dt.timedelta(days=rng.randint(0, (end - start).days))
            source = rng.choices(ASSESSMENT_SOURCES, weights=ASSESSMENT_SOURCE_WEIGHTS)[0]
            bias, noise = SOURCE_ERROR[source]
            for r in chosen:
                code = r.competency_code
                drift[code] += rng.gauss(0.0, YEARLY_DRIFT_SD)
                true = start_level[code] + drift[code]
                for completed_on, taught in sorted(learned.get((person.number, code), ())):
                    if completed_on < on and taught > true:
                        true += COURSE_UPLIFT * (taught - true)
                level = round(true + bias + rng.gauss(0.0, noise))
                result.append(Assessment(person.number, code, max(1, min(5, level)), on, source))
    result.sort(key=lambda a: (a.employee_number, a.assessed_on, a.competency_code))
    return result
