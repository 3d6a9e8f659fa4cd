"""Performance history for the demo organisation: past annual ratings, so succession's
9-box and the recommender have evidence from day one (the competency assessments come
from `learning.assessments`, which follows each employee's development focus).

Drawn from its own random stream (seeded from the organisation's seed), so adding these
files leaves every other file of a given seed byte-identical.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from talent_cli.demo.organisation import Person

# Past annual cycles: (code, the day ratings were given).
PAST_CYCLES = (("2024-ANNUAL", dt.date(2024, 12, 13)), ("2025-ANNUAL", dt.date(2025, 12, 12)))
# Ratings 1-5: most people meet expectations, few are at either end.
RATING_WEIGHTS = (4, 14, 52, 22, 8)
# People with more drive (Person.drive) are rated higher: rating k's weight is multiplied
# by exp(DRIVE_TILT * drive * (k - 3)), so ratings are persistent but still vary by cycle.
DRIVE_TILT = 0.6


@dataclass(frozen=True)
class Rating:
    employee_number: str
    cycle_code: str
    overall_rating: int
    rated_on: dt.date


def ratings(people: list[Person], *, seed: int, as_of: dt.date) -> list[Rating]:
    rng = random.Random(f"{seed}/performance")
    result: list[Rating] = []
    for person in people:
        for code, rated_on in PAST_CYCLES:
            # Rated in a cycle only after a full quarter in the company.
            if person.hire_date <= rated_on - dt.timedelta(days=90) and rated_on <= as_of:
                weights = [
                    w * math.exp(DRIVE_TILT * person.drive * (k - 3))
                    for k, w in enumerate(RATING_WEIGHTS, start=1)
                ]
                rating = rng.choices(range(1, 6), weights=weights)[0]
                result.append(Rating(person.number, code, rating, rated_on))
    return result
