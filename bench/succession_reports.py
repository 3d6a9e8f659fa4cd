"""Succession reports at scale: `python -m bench.succession_reports [EMPLOYEES] [ROLES]`
(default 100,000 employees and 2,000 key roles).

Loads a fresh, migrated succession database with COPY: the employee projection, key
roles with slates of 0-6 successors, potential assessments (two rounds for 70% of the
employees) and calibrated ratings (two cycles for everyone), then VACUUM ANALYZE. Times the
reports as the API runs them (the repositories' single aggregate queries): the
org-wide bench-strength roll-up, bench strength per role, the org-wide 9-box, the
9-box per org unit and per slate (today's from the maintained current placements, a past
day's from the rating and potential history), and 9-box movement between two days. Prints the
median and worst of 7 runs after one warm-up (target: under 1 s each).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import migrated_database, postgres_admin_url
from talent_platform.db import async_url
from talent_platform.db.bulk import copy_rows
from talent_succession.key_roles.models import KeyRole
from talent_succession.metrics.repository import MetricsRepository
from talent_succession.ninebox.placements import refresh_placements
from talent_succession.ninebox.repository import NineBoxRepository
from talent_succession.people.models import EmployeeProjection
from talent_succession.potential.models import PotentialAssessment
from talent_succession.ratings.models import CalibratedRating
from talent_succession.slates.models import Nomination

AS_OF = dt.date(2026, 9, 30)
TODAY = dt.datetime.now(dt.UTC).date()
RUNS = 7
READINESS = ("ready_now", "ready_1_2_years", "ready_3_plus_years")
LEVELS = ("low", "medium", "high")


def table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


async def load(
    session: AsyncSession, employees: int, roles: int, rng: random.Random
) -> dict[str, int]:
    now = dt.datetime.now(dt.UTC)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(employees)]
    await copy_rows(
        session,
        table(EmployeeProjection),
        [
            {
                "employee_id": employee_id,
                "employee_number": f"E{i:06d}",
                "name": f"Employee {i}",
                "email": f"e{i}@example.com",
                "status": "terminated" if i % 50 == 49 else "active",
                "manager_id": ids[(i - 1) // 8] if i else None,
                "org_unit_code": f"Unit {i % 120}",
                "job_profile_code": f"P{i % 30}",
                "hire_date": dt.date(2010, 1, 1) + dt.timedelta(days=i % 5000),
                "terminated_on": dt.date(2026, 1, 1) if i % 50 == 49 else None,
                "updated_at": now,
            }
            for i, employee_id in enumerate(ids)
        ],
    )
    role_rows = [
        {
            "id": uuid.uuid4(),
            "code": f"KR-{r:05d}",
            "title": f"Key role {r}",
            "job_profile_code": f"P{r % 30}",
            "incumbent_id": ids[r * 7] if r % 10 else None,
            "org_unit_code": f"Unit {r % 120}",
            "criticality": LEVELS[r % 3],
            "created_at": now,
            "updated_at": now,
        }
        for r in range(roles)
    ]
    await copy_rows(session, table(KeyRole), role_rows)
    nominations = []
    for role in role_rows:
        for rank, successor in enumerate(rng.sample(ids, rng.randint(0, 6)), start=1):
            nominations.append(
                {
                    "id": uuid.uuid4(),
                    "key_role_id": role["id"],
                    "employee_id": successor,
                    "readiness": rng.choice(READINESS),
                    "rank": rank,
                    "notes": "",
                    "emergency": rank == 1,
                    "nominated_on": dt.date(2025, 6, 1),
                    "nominated_by": "bench",
                    "readiness_assessed_on": dt.date(2025, 6, 1),
                    "review_by": dt.date(2026, 6, 1),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    await copy_rows(session, table(Nomination), nominations)
    assessments = [
        {
            "id": uuid.uuid4(),
            "employee_id": employee_id,
            "potential": rng.choice(LEVELS),
            "assessed_on": day,
            "review_by": day + dt.timedelta(days=365),
            "notes": "",
            "source": "import",
            "recorded_by": "bench",
            "created_at": now,
            "updated_at": now,
        }
        for employee_id in ids
        if rng.random() < 0.7
        for day in (dt.date(2025, 3, 1), dt.date(2026, 3, 1))
    ]
    await copy_rows(session, table(PotentialAssessment), assessments)
    ratings = [
        {
            "employee_id": employee_id,
            "cycle_code": cycle,
            "overall_rating": rng.randint(1, 5),
            "rated_on": day,
            "updated_at": now,
        }
        for employee_id in ids
        for cycle, day in (("FY24", dt.date(2025, 2, 15)), ("FY25", dt.date(2026, 2, 15)))
    ]
    await copy_rows(session, table(CalibratedRating), ratings)
    # What the consumers and services maintain.
    await session.run_sync(refresh_placements, ids)
    return {
        "employees": employees,
        "key roles": roles,
        "nominations": len(nominations),
        "potential assessments": len(assessments),
        "calibrated ratings": len(ratings),
    }


async def timed(
    session: AsyncSession, report: Callable[[], Awaitable[object]]
) -> tuple[float, float, object]:
    result = await report()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = await report()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


async def main(employees: int = 100_000, roles: int = 2_000) -> None:
    with postgres_admin_url() as admin_url, migrated_database(admin_url, "succession") as url:
        engine = create_async_engine(async_url(url))
        try:
            started = time.perf_counter()
            async with AsyncSession(engine) as session, session.begin():
                counts = await load(session, employees, roles, random.Random(7))
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                # What autovacuum does after a bulk load: statistics, and the visibility
                # map that lets the latest-per-employee walks be index-only scans.
                await connection.execute(text("VACUUM ANALYZE"))
            print(
                "loaded "
                + ", ".join(f"{n:,} {what}" for what, n in counts.items())
                + f" in {time.perf_counter() - started:.1f} s"
            )
            async with AsyncSession(engine) as session:
                metrics, boxes = MetricsRepository(session), NineBoxRepository(session)
                reports: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                    ("bench strength, org-wide + per org unit", metrics.bench_rollup),
                    ("bench strength per key role", metrics.bench_by_role),
                    (
                        "9-box grid, org-wide, today",
                        lambda: boxes.by_org_unit(TODAY, grouped=False),
                    ),
                    ("9-box grids per org unit, today", lambda: boxes.by_org_unit(TODAY)),
                    ("9-box grids per key role's slate, today", lambda: boxes.by_slate(TODAY)),
                    (
                        "9-box grid, org-wide, a past day",
                        lambda: boxes.by_org_unit(AS_OF, grouped=False),
                    ),
                    ("9-box grids per org unit, a past day", lambda: boxes.by_org_unit(AS_OF)),
                    (
                        "9-box movement between two days",
                        lambda: boxes.movement(dt.date(2025, 6, 1), AS_OF),
                    ),
                ]
                for name, report in reports:
                    median, worst, result = await timed(session, report)
                    size = len(result) if isinstance(result, list) else 1
                    print(
                        f"{name:42s} median {median * 1000:7.1f} ms, worst {worst * 1000:7.1f} ms"
                        f" ({size} rows)"
                    )
        finally:
            await engine.dispose()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*args))
