"""The demo organisation's key roles and potential ratings (the succession service's
CSV kinds), so a dev stack has bench strength and a 9-box potential axis to show."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from talent_cli.demo.organisation import Person

# Levels 5 (directors) and 6 (the CEO, VPs) hold key roles.
KEY_ROLE_LEVEL = 5
POTENTIAL_SHARE = 0.4
POTENTIALS = ("low", "medium", "high")
POTENTIAL_WEIGHTS = (0.25, 0.55, 0.2)


def key_roles(people: Sequence[Person]) -> list[tuple[object, ...]]:
    """code, title, job_profile_code, incumbent_id, criticality: one per leader (level
    5 and up), critical for the CEO and VPs."""
    rows: list[tuple[object, ...]] = []
    for person in people:
        if person.level < KEY_ROLE_LEVEL or person.status != "active":
            continue
        title = (
            "Chief Executive Officer"
            if person.function is None
            else (
                f"Head of {person.org_unit}"
                if person.level == 6
                else f"Director, {person.org_unit}"
            )
        )
        rows.append(
            (
                f"KR-{person.number}",
                title,
                person.profile_code,
                person.number,
                "high" if person.level == 6 else "medium",
            )
        )
    return rows


def potential(
    people: Sequence[Person], rng: random.Random, *, as_of: dt.date
) -> list[tuple[object, ...]]:
    """employee_id, potential, assessed_on: for about 40% of active employees, within
    the last 18 months."""
    rows: list[tuple[object, ...]] = []
    for person in people:
        if person.status != "active" or rng.random() >= POTENTIAL_SHARE:
            continue
        level = rng.choices(POTENTIALS, weights=POTENTIAL_WEIGHTS)[0]
        assessed_on = max(person.hire_date, as_of - dt.timedelta(days=rng.randrange(0, 540)))
        rows.append((person.number, level, assessed_on))
    return rows
