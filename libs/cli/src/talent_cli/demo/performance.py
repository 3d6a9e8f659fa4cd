"""Performance history for the demo organisation: past annual ratings and competency
assessments, so the recommender and succession have evidence from day one.

Drawn from its own random stream (seeded from the organisation's seed), so adding these
files leaves every other file of a given seed byte-identical.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from talent_cli.demo.learning import Requirement
from talent_cli.demo.organisation import Person

# Past annual cycles: (code, the day ratings were given).
PAST_CYCLES = (("2024-ANNUAL", dt.date(2024, 12, 13)), ("2025-ANNUAL", dt.date(2025, 12, 12)))
# Ratings 1-5: most people meet expectations, few are at either end.
RATING_WEIGHTS = (4, 14, 52, 22, 8)
ASSESSED_SHARE = 0.4
SOURCES = ("manager", "self", "assessment")


@dataclass(frozen=True)
class Rating:
    employee_number: str
    cycle_code: str
    overall_rating: int
    rated_on: dt.date


@dataclass(frozen=True)
class Assessment:
    employee_number: str
    competency_code: str
    level: int
    assessed_on: dt.date
    source: str


def history(
    people: list[Person], requirements: list[Requirement], *, seed: int, as_of: dt.date
) -> tuple[list[Rating], list[Assessment]]:
    rng = random.Random(f"{seed}/performance")
    required: dict[str, list[Requirement]] = {}
    for r in requirements:
        required.setdefault(r.profile_code, []).append(r)
    ratings: list[Rating] = []
    assessments: list[Assessment] = []
    for person in people:
        for code, rated_on in PAST_CYCLES:
            # Rated in a cycle only after a full quarter in the company.
            if person.hire_date <= rated_on - dt.timedelta(days=90) and rated_on <= as_of:
                rating = rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0]
                ratings.append(Rating(person.number, code, rating, rated_on))
        pool = required.get(person.profile_code, [])
        if not pool or rng.random() >= ASSESSED_SHARE:
            continue
        span = (as_of - person.hire_date).days
        if span < 30:
            continue
        for r in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
            level = max(1, min(5, r.level + rng.choice((-1, 0, 0, 1))))
            day = person.hire_date + dt.timedelta(days=rng.randint(30, span))
            assessments.append(
                Assessment(person.number, r.competency_code, level, day, rng.choice(SOURCES))
            )
    assessments.sort(key=lambda a: (a.employee_number, a.assessed_on, a.competency_code))
    return ratings, assessments
