"""Employee CSV import throughput: `python -m bench.import_employees [N]` (default 100,000).

Imports a generated HRIS export of N employees (a tree with spans of 8) into a fresh,
migrated people database through the same code path as `talent import employees`, then
re-imports it (the idempotent no-op path) and imports it once more with 1% of the
employees moved to another manager. Prints rows per second for each pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import sys
import time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import migrated_database, peak_rss_mb, postgres_admin_url
from talent_people.db import messaging
from talent_people.imports.service import run_import
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url

ADMIN = Principal(subject="bench", employee_id=None, roles=frozenset({Role.ADMIN}))
PROFILES = "code,title,family,level\n" + "".join(
    f"P{i},Profile {i},Family {i % 5},{i % 6 + 1}\n" for i in range(30)
)


def employees_csv(n: int, *, moved_every: int = 0) -> str:
    out = io.StringIO()
    out.write(
        "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"
    )
    start = dt.date(2010, 1, 1)
    for i in range(n):
        manager = "" if i == 0 else f"E{(i - 1) // 8:06d}"
        if moved_every and i > 8 and i % moved_every == 0:
            manager = f"E{(i - 1) // 8 - 1:06d}" if (i - 1) // 8 > 0 else manager
        hired = start + dt.timedelta(days=i % 5000)
        out.write(
            f"E{i:06d},Employee {i},e{i}@example.com,{hired.isoformat()},P{i % 30},Unit {i % 120},"
            f"City {i % 12},{manager},active\n"
        )
    return out.getvalue()


async def timed_import(url: str, kind: str, data: str) -> tuple[float, dict[str, int]]:
    engine = create_async_engine(async_url(url))
    try:
        started = time.perf_counter()
        async with engine.connect() as conn:
            from sqlalchemy.ext.asyncio import AsyncSession

            async with AsyncSession(bind=conn) as session, session.begin():
                result = await run_import(session, ADMIN, kind, data)
        elapsed = time.perf_counter() - started
        async with engine.connect() as conn:
            events = (
                await conn.execute(select(func.count()).select_from(messaging.outbox))
            ).scalar_one()
        return elapsed, {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "outbox_rows": int(events),
        }
    finally:
        await engine.dispose()


async def main(n: int) -> None:
    with postgres_admin_url() as admin, migrated_database(admin, "people") as url:
        await timed_import(url, "job-profiles", PROFILES)
        data = employees_csv(n)
        print(f"employees import, {n:,} rows ({len(data) / 1e6:.1f} MB CSV)")
        for label, payload in (
            ("first import", data),
            ("re-import (no change)", data),
            ("1% moved to another manager", employees_csv(n, moved_every=100)),
        ):
            elapsed, counts = await timed_import(url, "employees", payload)
            print(f"  {label:30s} {elapsed:7.2f} s  {n / elapsed:9,.0f} rows/s  {counts}")
        print(f"  peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
