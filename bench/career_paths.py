"""Career paths at scale: `python -m bench.career_paths [ROWS] [PROFILES]` (default
500,000 job-history rows over 100,000 employees and 300 job profiles).

Loads a fresh, migrated recommender database with COPY: job profiles in families of
levels with requirements, and careers that mostly climb their family, sometimes move to
another family, and sometimes stay put (3-8 rows each, the ROWS total), then VACUUM
ANALYZE. Times `JobProfile.nextMoves` as the API runs it (CareerRepository.next_moves,
first 5) for 40 job profiles (the most held, the least held, a random sample): median,
p95 and worst, once with the job_profile_code index (what migrations create) and once
without it, in the same run, as the baseline. Target: under 2 s.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import random
import statistics
import sys
import time
import uuid
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import migrated_database, percentile, postgres_admin_url
from talent_platform.db import async_url
from talent_platform.db.bulk import copy_rows
from talent_recommender.careers.repository import CareerRepository
from talent_recommender.ingest.models import Competency, JobHistory, JobProfile, JobRequirement

FAMILIES = 30
COMPETENCIES = 120
QUERIES = 40


def table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def profiles(count: int, rng: random.Random) -> list[dict[str, Any]]:
    levels = max(1, count // FAMILIES)
    return [
        {
            "code": f"F{f:02d}-L{lvl}",
            "title": f"Family {f} level {lvl}",
            "family": f"F{f:02d}",
            "level": lvl,
        }
        for f in range(FAMILIES)
        for lvl in range(1, levels + 1)
    ][:count]


def requirements(codes: list[str], rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for code in codes:
        level = int(code.rsplit("-L", 1)[1])
        for competency in rng.sample(range(COMPETENCIES), 8):
            rows.append(
                {
                    "job_profile_code": code,
                    "competency_code": f"C{competency:03d}",
                    "required_level": min(5, 1 + level // 3 + rng.randint(0, 1)),
                    "importance": rng.randint(1, 5),
                }
            )
    return rows


def careers(total: int, codes: list[str], rng: random.Random) -> list[dict[str, Any]]:
    by_family: dict[str, list[str]] = {}
    for code in codes:
        by_family.setdefault(code.split("-")[0], []).append(code)
    rows: list[dict[str, Any]] = []
    while len(rows) < total:
        person = uuid.uuid4()
        family = rng.choice(sorted(by_family))
        ladder = by_family[family]
        step = rng.randrange(max(1, len(ladder) // 2))
        start = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        for n in range(rng.randint(3, 8)):
            code = ladder[min(step, len(ladder) - 1)]
            months = rng.randint(8, 48)
            end = start + dt.timedelta(days=30 * months)
            rows.append(
                {
                    "employee_id": person,
                    "job_profile_code": code,
                    "start_date": start,
                    "end_date": end,
                }
            )
            start = end
            roll = rng.random()
            if roll < 0.6:
                step += 1
            elif roll < 0.75:
                family = rng.choice(sorted(by_family))
                ladder = by_family[family]
                step = min(step, len(ladder) - 1)
            if n > 0 and len(rows) >= total:
                break
        rows[-1]["end_date"] = None
    return rows[:total]


async def timed(session: AsyncSession, codes: list[str]) -> list[float]:
    repository = CareerRepository(session)
    await repository.next_moves(codes[0], first=5, min_movers=3)  # warm-up
    seconds = []
    for code in codes:
        started = time.perf_counter()
        await repository.next_moves(code, first=5, min_movers=3)
        seconds.append(time.perf_counter() - started)
    return seconds


def summary(name: str, seconds: list[float]) -> str:
    return (
        f"{name:34s} median {statistics.median(seconds) * 1000:7.1f} ms, "
        f"p95 {percentile(seconds, 95) * 1000:7.1f} ms, worst {max(seconds) * 1000:7.1f} ms"
    )


async def main(rows: int = 500_000, profile_count: int = 300) -> None:
    rng = random.Random(7)
    with postgres_admin_url() as admin, migrated_database(admin, "recommender") as url:
        engine = create_async_engine(async_url(url))
        try:
            started = time.perf_counter()
            job_profiles = profiles(profile_count, rng)
            codes = [p["code"] for p in job_profiles]
            history = careers(rows, codes, rng)
            async with AsyncSession(engine) as session, session.begin():
                await copy_rows(
                    session,
                    table(Competency),
                    [
                        {"code": f"C{c:03d}", "name": f"Competency {c}", "tier": "functional"}
                        for c in range(COMPETENCIES)
                    ],
                )
                await copy_rows(session, table(JobProfile), job_profiles)
                await copy_rows(session, table(JobRequirement), requirements(codes, rng))
                await copy_rows(session, table(JobHistory), history)
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
            people = len({r["employee_id"] for r in history})
            print(
                f"loaded {len(history):,} job-history rows of {people:,} people over "
                f"{len(codes)} job profiles in {time.perf_counter() - started:.1f} s"
            )
            counts = collections.Counter(r["job_profile_code"] for r in history)
            held = sorted(codes, key=lambda c: -counts[c])
            sample = held[:10] + held[-10:] + rng.sample(held[10:-10], QUERIES - 20)
            async with AsyncSession(engine) as session:
                print(summary("nextMoves (with the index)", await timed(session, sample)))
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("DROP INDEX ix_job_history_job_profile_code"))
                await autocommit.execute(text("ANALYZE job_history"))
            async with AsyncSession(engine) as session:
                print(summary("nextMoves (baseline: no index)", await timed(session, sample)))
        finally:
            await engine.dispose()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*args))
