"""A deterministic demo organisation, as the CSV files of the interchange formats.

`generate(employees=2000, seed=42)` returns the twelve files (competencies, job profiles
and their requirements, employees, job history, courses, course skills, completions,
historical assessments and ratings, key roles, potential) in import order. The same
arguments always give byte-identical files: every random choice comes from
`random.Random(seed)` (performance history and succession's potential ratings from their
own streams derived from the seed, so adding them left the other files as they were), and
dates are relative to the fixed `AS_OF`, not to today.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from talent_cli.demo import learning, performance, succession
from talent_cli.demo.organisation import OrganisationBuilder, Person
from talent_contracts.csv import CSV_COLUMNS

AS_OF = dt.date(2026, 9, 30)

# The kinds the demo organisation is made of, in import order.
COLUMNS: dict[str, tuple[str, ...]] = {
    kind: CSV_COLUMNS[kind]
    for kind in (
        "competencies",
        "job-profiles",
        "job-profile-competencies",
        "employees",
        "job-history",
        "courses",
        "course-skills",
        "completions",
        "assessments",
        "ratings",
        "key-roles",
        "potential",
    )
}
"""The CSV contract (DESIGN.md, "Interchange formats") of every kind the demo produces,
in import order."""


@dataclass(frozen=True)
class DemoOrganisation:
    employees: int
    seed: int
    files: dict[str, str]
    """CSV text per import kind, in import order."""

    def rows(self, kind: str) -> int:
        return self.files[kind].count("\n") - 1

    def write(self, directory: Path) -> list[Path]:
        """Write `<kind>.csv` files (UTF-8, header row) into `directory`."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for kind, text in self.files.items():
            path = directory / f"{kind}.csv"
            path.write_text(text, encoding="utf-8", newline="")
            paths.append(path)
        return paths


@dataclass(frozen=True)
class DemoRecords:
    """The demo organisation as records (what the CSV files are written from); the
    recommender's offline evaluation reads them directly."""

    people: list[Person]
    catalog: list[learning.Course]
    completions: list[learning.Completion]
    assessments: list[learning.Assessment]


def generate_records(
    *, employees: int = 2000, seed: int = 42, as_of: dt.date = AS_OF
) -> DemoRecords:
    rng = random.Random(seed)
    people = OrganisationBuilder(rng, as_of=as_of).build(employees)
    catalog = learning.courses(rng)
    completions = learning.completions(people, catalog, rng, as_of=as_of, seed=seed)
    assessments = learning.assessments(
        people, seed=seed, as_of=as_of, catalog=catalog, completed=completions
    )
    return DemoRecords(people, catalog, completions, assessments)


def generate(*, employees: int = 2000, seed: int = 42, as_of: dt.date = AS_OF) -> DemoOrganisation:
    records = generate_records(employees=employees, seed=seed, as_of=as_of)
    people, catalog, completions = records.people, records.catalog, records.completions
    ratings = performance.ratings(people, seed=seed, as_of=as_of)
    files = {
        "competencies": _csv(
            "competencies",
            ((c.code, c.name, c.tier, c.description) for c in learning.ALL_COMPETENCIES),
        ),
        "job-profiles": _csv("job-profiles", learning.job_profiles()),
        "job-profile-competencies": _csv(
            "job-profile-competencies",
            (
                (r.profile_code, r.competency_code, r.level, r.importance)
                for r in learning.requirements()
            ),
        ),
        "employees": _csv("employees", (_employee_row(p) for p in people)),
        "job-history": _csv(
            "job-history",
            ((p.number, h.profile_code, h.start, h.end) for p in people for h in p.history),
        ),
        "courses": _csv(
            "courses",
            (
                (
                    c.code,
                    c.title,
                    c.description,
                    f"{c.hours:g}",
                    c.modality,
                    "true" if c.mandatory else "false",
                    c.recertify_months,
                )
                for c in catalog
            ),
        ),
        "course-skills": _csv(
            "course-skills",
            ((c.code, code, level) for c in catalog for code, level in c.skills),
        ),
        "completions": _csv(
            "completions",
            ((c.employee_number, c.course_code, c.completed_on, c.score) for c in completions),
        ),
        "assessments": _csv(
            "assessments",
            (
                (a.employee_number, a.competency_code, a.level, a.assessed_on, a.source)
                for a in records.assessments
            ),
        ),
        "ratings": _csv(
            "ratings",
            ((r.employee_number, r.cycle_code, r.overall_rating, r.rated_on) for r in ratings),
        ),
        "key-roles": _csv("key-roles", succession.key_roles(people)),
        "potential": _csv(
            "potential", succession.potential(people, random.Random(seed + 1), as_of=as_of)
        ),
    }
    return DemoOrganisation(employees=employees, seed=seed, files=files)


def _employee_row(person: Person) -> Sequence[object]:
    return (
        person.number,
        person.name,
        person.email,
        person.hire_date,
        person.profile_code,
        person.org_unit,
        person.location,
        person.manager.number if person.manager else None,
        person.status,
    )


def _csv(kind: str, rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    for row in rows:
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row]
        )
    return out.getvalue()


__all__ = ["AS_OF", "COLUMNS", "DemoOrganisation", "generate"]
