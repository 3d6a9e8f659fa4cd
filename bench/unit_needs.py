"""Unit development needs at scale: `python -m bench.unit_needs [EMPLOYEES]` (default
100,000 employees).

Loads a fresh, migrated recommender database with COPY: 120 competencies, 300 job
profiles with 8 requirements each, 2,000 courses teaching 2 competencies each, the
employees in a three-level org-unit tree, 20 evidence-based estimates per employee (2
million rows at 100,000) and 2 open enrollments per employee, then VACUUM ANALYZE. Times
`unitDevelopmentNeeds` as the API runs it (NeedsRepository.needs, first 20) for the whole
organisation, a division (about a fifth) and a team, median and worst of 5 after a
warm-up; the baseline, in the same run, fetches the same joined rows and aggregates them
in Python (what the aggregate in SQL replaces). Target: the whole organisation under 2 s.
"""

from __future__ import annotations

import asyncio
import collections
import random
import statistics
import sys
import time
import uuid
from typing import Any, cast

from sqlalchemy import Table, and_, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import migrated_database, postgres_admin_url
from talent_platform.db import async_url
from talent_platform.db.bulk import copy_rows
from talent_platform.employees import in_org_scope
from talent_recommender.ingest.models import (
    Competency,
    Course,
    CourseSkill,
    Employee,
    Enrollment,
    JobProfile,
    JobRequirement,
)
from talent_recommender.needs.repository import NeedsRepository
from talent_recommender.profiles.models import SkillEstimate

COMPETENCIES = 120
PROFILES = 300
COURSES = 2_000
ESTIMATES = 20
RUNS = 5


def table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def units() -> list[str]:
    return [
        f"Division {d} / Department {d}.{p} / Team {d}.{p}.{t}"
        for d in range(5)
        for p in range(8)
        for t in range(10)
    ]


async def load(session: AsyncSession, employees: int, rng: random.Random) -> None:
    codes = [f"C{c:03d}" for c in range(COMPETENCIES)]
    profiles = [f"P{p:03d}" for p in range(PROFILES)]
    await copy_rows(
        session,
        table(Competency),
        [{"code": c, "name": f"Competency {c}", "tier": "functional"} for c in codes],
    )
    await copy_rows(
        session,
        table(JobProfile),
        [{"code": p, "title": f"Profile {p}", "family": "F", "level": 3} for p in profiles],
    )
    requirements = {p: rng.sample(codes, 8) for p in profiles}
    await copy_rows(
        session,
        table(JobRequirement),
        [
            {
                "job_profile_code": p,
                "competency_code": c,
                "required_level": rng.randint(2, 5),
                "importance": rng.randint(1, 5),
            }
            for p, wanted in requirements.items()
            for c in wanted
        ],
    )
    courses = [f"K{k:04d}" for k in range(COURSES)]
    await copy_rows(
        session,
        table(Course),
        [{"code": k, "title": f"Course {k}", "mandatory": False} for k in courses],
    )
    await copy_rows(
        session,
        table(CourseSkill),
        [
            {"course_code": k, "competency_code": c, "level": rng.randint(2, 5)}
            for k in courses
            for c in rng.sample(codes, 2)
        ],
    )
    tree = units()
    people = []
    estimates = []
    enrollments = []
    for _ in range(employees):
        person = uuid.uuid4()
        profile = rng.choice(profiles)
        people.append(
            {
                "employee_id": person,
                "name": "x",
                "status": "active",
                "org_unit_code": rng.choice(tree),
                "job_profile_code": profile,
                "updated_at": "2026-12-08T00:00:00+00:00",
            }
        )
        evidenced = set(requirements[profile][:6]) | set(rng.sample(codes, ESTIMATES))
        for c in list(evidenced)[:ESTIMATES]:
            estimates.append(
                {
                    "employee_id": person,
                    "competency_code": c,
                    "level": round(rng.uniform(1, 5), 2),
                    "confidence": 0.8,
                    "evidence_count": 1,
                }
            )
        for k in rng.sample(courses, 2):
            enrollments.append(
                {"enrollment_id": uuid.uuid4(), "employee_id": person, "course_code": k}
            )
    await copy_rows(session, table(Employee), people)
    await copy_rows(session, table(SkillEstimate), estimates)
    await copy_rows(session, table(Enrollment), enrollments)


async def in_python(session: AsyncSession, unit: str | None) -> int:
    """The baseline: the joined rows fetched and aggregated per competency in Python."""
    statement = (
        select(
            JobRequirement.competency_code,
            JobRequirement.required_level,
            JobRequirement.importance,
            SkillEstimate.level,
        )
        .select_from(Employee)
        .join(JobRequirement, JobRequirement.job_profile_code == Employee.job_profile_code)
        .outerjoin(
            SkillEstimate,
            and_(
                SkillEstimate.employee_id == Employee.employee_id,
                SkillEstimate.competency_code == JobRequirement.competency_code,
            ),
        )
        .where(Employee.status == "active")
    )
    if unit is not None:
        statement = statement.where(in_org_scope(Employee.org_unit_code, [unit]))
    weighted: collections.defaultdict[str, float] = collections.defaultdict(float)
    for code, required, importance, level in (await session.execute(statement)).all():
        if level is not None and level < required:
            weighted[code] += (required - level) * importance
    return len(sorted(weighted, key=weighted.__getitem__, reverse=True)[:20])


async def timed(run: Any) -> tuple[float, float]:
    await run()
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds)


async def main(employees: int = 100_000) -> None:
    rng = random.Random(11)
    with postgres_admin_url() as admin, migrated_database(admin, "recommender") as url:
        engine = create_async_engine(async_url(url))
        try:
            started = time.perf_counter()
            async with AsyncSession(engine) as session, session.begin():
                await load(session, employees, rng)
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
            print(
                f"loaded {employees:,} employees, {employees * ESTIMATES:,} estimates, "
                f"{employees * 2:,} enrollments in {time.perf_counter() - started:.1f} s"
            )
            scopes = [
                ("whole organisation", None),
                ("a division", "Division 2"),
                ("a team", "Division 2 / Department 2.3 / Team 2.3.4"),
            ]
            async with AsyncSession(engine) as session:
                repository = NeedsRepository(session)
                for name, unit in scopes:
                    found = await repository.needs(
                        org_unit_code=unit, job_profile_code=None, scope=None, first=20
                    )
                    median, worst = await timed(
                        lambda unit=unit: repository.needs(
                            org_unit_code=unit, job_profile_code=None, scope=None, first=20
                        )
                    )
                    base_median, base_worst = await timed(
                        lambda unit=unit: in_python(session, unit)
                    )
                    print(
                        f"{name:20s} ({found.people:6,} people): median {median * 1000:7.1f} ms, "
                        f"worst {worst * 1000:7.1f} ms; baseline (rows aggregated in Python) "
                        f"median {base_median * 1000:7.1f} ms, worst {base_worst * 1000:7.1f} ms"
                    )
        finally:
            await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*[int(a) for a in sys.argv[1:2]]))
