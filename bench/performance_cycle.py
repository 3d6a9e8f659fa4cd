"""Launching a review cycle for a large organisation, and "who is behind" for it:
`python -m bench.performance_cycle [N]` (default 100,000 employees).

Fills a fresh, migrated performance database's employee projection with N employees
(COPY; a tree with spans of 8, 30 job profiles of 5 required competencies each), then
times `CycleService.launch` (a self and a manager review per employee plus a competency
row per required competency, set-based) and the who-is-behind report (first page and
total) through the GraphQL schema, as the gateway would ask for it. Targets: launch
under 60 s, the report under 1 s.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import time
import uuid
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import migrated_database, peak_rss_mb, postgres_admin_url
from talent_performance.config import PerformanceSettings
from talent_performance.cycles.models import PHASES
from talent_performance.cycles.service import CycleService, NewCycle
from talent_performance.people.models import EmployeeProjection, JobProfileRequirement
from talent_performance.reviews.models import Review, ReviewCompetency
from talent_performance.schema import schema
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url
from talent_platform.db.bulk import copy_rows
from talent_platform.graphql import TalentContext

HR = Principal(subject="bench", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
PROFILES = 30
REQUIREMENTS = 5
BEHIND = """query($id: ID!) { whoIsBehind(cycleId: $id, phase: SELF_REVIEW, first: 50) {
  reviews { totalCount nodes { employeeName managerName escalationManagerName } } } }"""


def employees(n: int) -> list[dict[str, Any]]:
    ids = [uuid.uuid4() for _ in range(n)]
    now = dt.datetime.now(dt.UTC)
    start = dt.date(2010, 1, 1)
    return [
        {
            "employee_id": ids[i],
            "employee_number": f"E{i:06d}",
            "name": f"Employee {i}",
            "email": f"e{i}@example.com",
            "status": "active",
            "hire_date": start + dt.timedelta(days=i % 5000),
            "manager_id": None if i == 0 else ids[(i - 1) // 8],
            "org_unit_code": f"Unit {i % 120}",
            "job_profile_code": f"P{i % PROFILES}",
            "location": f"City {i % 12}",
            "updated_at": now,
        }
        for i in range(n)
    ]


async def fill(session: AsyncSession, n: int) -> float:
    started = time.perf_counter()
    await copy_rows(session, cast(Table, EmployeeProjection.__table__), employees(n))
    await copy_rows(
        session,
        cast(Table, JobProfileRequirement.__table__),
        [
            {
                "job_profile_code": f"P{p}",
                "competency_code": f"C{(p * 3 + r) % 60}",
                "required_level": r % 5 + 1,
                "importance": 3,
            }
            for p in range(PROFILES)
            for r in range(REQUIREMENTS)
        ],
    )
    return time.perf_counter() - started


async def main(n: int) -> None:
    settings = PerformanceSettings(environment="test")
    with postgres_admin_url() as admin, migrated_database(admin, "performance") as url:
        engine = create_async_engine(async_url(url))
        try:
            async with AsyncSession(engine) as session, session.begin():
                copied = await fill(session, n)
            async with engine.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
                await conn.commit()
            print(f"projection: {n:,} employees copied in {copied:.1f} s")

            async with AsyncSession(engine) as session, session.begin():
                today = dt.date.today()
                cycle = await CycleService(session, HR).create(
                    NewCycle(
                        code="BENCH",
                        name="Bench",
                        kind="annual",
                        deadlines={p: today + dt.timedelta(weeks=i) for i, p in enumerate(PHASES)},
                    )
                )
                cycle_id = cycle.id
            started = time.perf_counter()
            async with AsyncSession(engine) as session, session.begin():
                _, population = await CycleService(session, HR).launch(cycle_id)
            launch = time.perf_counter() - started
            async with AsyncSession(engine) as session:
                reviews = await session.scalar(select(func.count()).select_from(Review))
                rated = await session.scalar(select(func.count()).select_from(ReviewCompetency))
            print(
                f"launch: {population:,} employees, {reviews:,} reviews, {rated:,} competency "
                f"rows in {launch:.1f} s (target < 60 s)"
            )
            async with engine.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
                await conn.commit()

            timings = []
            total = 0
            for _ in range(7):
                async with AsyncSession(engine) as session:
                    context = TalentContext.with_session(session, principal=HR, settings=settings)
                    started = time.perf_counter()
                    result = await schema.execute(
                        BEHIND, variable_values={"id": str(cycle_id)}, context_value=context
                    )
                    timings.append(time.perf_counter() - started)
                    assert result.errors is None and result.data is not None, result.errors
                    total = result.data["whoIsBehind"]["reviews"]["totalCount"]
            print(
                f"who is behind (self_review, first 50 of {total:,}): "
                f"first {timings[0] * 1000:.0f} ms, "
                f"median {statistics.median(timings) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms (target < 1 s)"
            )
            print(f"peak RSS of the benchmark process: {peak_rss_mb():.0f} MB")
        finally:
            await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
