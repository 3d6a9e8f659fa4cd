"""Learning reports at scale: `python -m bench.learning_reports [EMPLOYEES]`.

Loads a fresh, migrated learning database with COPY (`copy_rows`): 100,000 employees in
learning's projection (120 org units, 12 locations, 30 job profiles), 5,000 courses,
2,080,000 completions (20 per employee across the catalog, plus the compliance course
FIRE-0000 for 80% of the org) and 2,000,000 enrollments (85% completed, 10% assigned,
half of those overdue, 5% in progress). Then times, three runs each (median printed):

- the compliance evidence export of FIRE-0000 across the whole org as of today, as
  `GET /reports/compliance-evidence.csv` produces it (COPY ... TO STDOUT), and the same
  query read row by row in Python;
- the completion-rate report grouped by org unit (all groups).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.common import migrated_database, postgres_admin_url
from talent_learning.completions.models import Completion
from talent_learning.courses.models import Course
from talent_learning.enrollments.assign import Population
from talent_learning.enrollments.models import Enrollment
from talent_learning.people.models import EmployeeProjection
from talent_learning.reports.service import Grouping, ReportService
from talent_platform.auth import Principal, Role
from talent_platform.db import async_url
from talent_platform.db.bulk import copy_rows

HR = Principal(subject="bench", employee_id=None, roles=frozenset({Role.HR_COORDINATOR}))
COURSES = 5000
PER_EMPLOYEE = 20
BATCH = 200_000
TODAY = dt.date.today()


def table(model: Any) -> Table:
    return cast(Table, model.__table__)


def batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def load(url: str, employees: int) -> dict[str, int]:
    engine = create_async_engine(async_url(url))
    now = dt.datetime.now(dt.UTC)
    ids = [uuid.uuid4() for _ in range(employees)]
    course_ids = [uuid.uuid4() for _ in range(COURSES)]
    counts = {"employees": 0, "courses": 0, "completions": 0, "enrollments": 0}

    def employee_rows() -> Iterator[dict[str, Any]]:
        for i, employee_id in enumerate(ids):
            yield {
                "employee_id": employee_id,
                "employee_number": f"E{i:06d}",
                "name": f"Employee {i}",
                "email": f"e{i}@example.com",
                "status": "active",
                "manager_id": ids[(i - 1) // 8] if i else None,
                "org_unit_code": f"Unit {i % 120}",
                "job_profile_code": f"P{i % 30}",
                "location": f"City {i % 12}",
                "hire_date": dt.date(2010, 1, 1) + dt.timedelta(days=i % 5000),
                "updated_at": now,
            }

    def course_rows() -> Iterator[dict[str, Any]]:
        for c, course_id in enumerate(course_ids):
            yield {
                "id": course_id,
                "code": f"FIRE-{c:04d}" if c == 0 else f"C-{c:04d}",
                "title": f"Course {c}",
                "description": "",
                "duration_hours": 1 + c % 16,
                "modality": "e-learning",
                "mandatory": c == 0,
                "recertify_months": 12 if c % 10 == 0 else None,
                "active": True,
                "language": "en",
                "provider": "",
                "version": 1,
                "self_enrollment": False,
                "created_at": now,
                "updated_at": now,
            }

    def course_of(i: int, k: int) -> int:
        return 1 + (i * 7 + k * 131) % (COURSES - 1)

    def completion_rows() -> Iterator[dict[str, Any]]:
        for i, employee_id in enumerate(ids):
            for k in range(PER_EMPLOYEE):
                yield {
                    "id": uuid.uuid4(),
                    "employee_id": employee_id,
                    "course_id": course_ids[course_of(i, k)],
                    "completed_on": TODAY - dt.timedelta(days=(i + k * 37) % 1500),
                    "score": float((i + k) % 101),
                    "source": "import",
                    "created_at": now,
                    "updated_at": now,
                }
            if i % 5:
                yield {
                    "id": uuid.uuid4(),
                    "employee_id": employee_id,
                    "course_id": course_ids[0],
                    "completed_on": TODAY - dt.timedelta(days=i % 500),
                    "score": float(i % 101),
                    "source": "import",
                    "created_at": now,
                    "updated_at": now,
                }

    def enrollment_rows() -> Iterator[dict[str, Any]]:
        for i, employee_id in enumerate(ids):
            for k in range(PER_EMPLOYEE):
                bucket = (i + k) % 20
                status = (
                    "completed" if bucket < 17 else "in_progress" if bucket == 17 else "assigned"
                )
                due = TODAY + dt.timedelta(days=(30 if bucket == 18 else -10))
                yield {
                    "id": uuid.uuid4(),
                    "employee_id": employee_id,
                    "course_id": course_ids[course_of(i, k)],
                    "status": status,
                    "reason": "compliance" if k % 4 == 0 else "manager",
                    "due_on": due,
                    "created_at": now,
                    "updated_at": now,
                }

    async with engine.connect() as connection:
        session = AsyncSession(bind=connection)
        for name, model, rows in (
            ("employees", EmployeeProjection, employee_rows()),
            ("courses", Course, course_rows()),
            ("completions", Completion, completion_rows()),
            ("enrollments", Enrollment, enrollment_rows()),
        ):
            started = time.perf_counter()
            for batch in batches(rows):
                async with session.begin():
                    await copy_rows(session, table(model), batch)
                counts[name] += len(batch)
            print(
                f"loaded {counts[name]:>9,} {name:<12} in {time.perf_counter() - started:6.1f} s",
                flush=True,
            )
        await session.close()
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        started = time.perf_counter()
        await autocommit.execute(text("VACUUM ANALYZE"))
        print(f"vacuum analyze in {time.perf_counter() - started:.1f} s")
    await engine.dispose()
    return counts


async def evidence_csv(session: AsyncSession) -> tuple[int, int]:
    """The export as `GET /reports/compliance-evidence.csv` serves it (PostgreSQL COPY)."""
    service = ReportService(session, HR)
    report = await service.compliance_evidence("FIRE-0000", as_of=TODAY, population=Population())
    out = io.BytesIO()
    async for chunk in service.csv(report):
        out.write(chunk)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))[1:]
    return len(rows), sum(r[-1] == "true" for r in rows)


async def evidence_rows(session: AsyncSession) -> tuple[int, int]:
    """The same report read row by row in Python (what a GraphQL page does, here whole)."""
    service = ReportService(session, HR)
    report = await service.compliance_evidence("FIRE-0000", as_of=TODAY, population=Population())
    rows = compliant = 0
    async for row in service.stream(report):
        rows += 1
        compliant += bool(row.compliant)
    return rows, compliant


async def rates_by_org_unit(session: AsyncSession) -> tuple[int, int]:
    service = ReportService(session, HR)
    report = await service.completion_rates(Grouping.ORG_UNIT, as_of=TODAY)
    result = (await session.execute(report.query)).all()
    return len(result), sum(r.assigned for r in result)


async def timed(url: str, name: str, run: Any) -> None:
    engine = create_async_engine(async_url(url))
    times: list[float] = []
    figures: tuple[int, int] = (0, 0)
    for _ in range(3):
        async with engine.connect() as connection:
            session = AsyncSession(bind=connection)
            started = time.perf_counter()
            figures = await run(session)
            times.append(time.perf_counter() - started)
            await session.close()
    await engine.dispose()
    print(
        f"{name}: median {statistics.median(times):.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in times)}); figures {figures}"
    )


async def explain(url: str) -> None:
    """EXPLAIN ANALYZE of both report queries: the server's share of the time."""
    engine = create_async_engine(async_url(url))
    async with engine.connect() as connection:
        session = AsyncSession(bind=connection)
        service = ReportService(session, HR)
        reports = (
            await service.compliance_evidence("FIRE-0000", as_of=TODAY, population=Population()),
            await service.completion_rates(Grouping.ORG_UNIT, as_of=TODAY),
        )
        for report in reports:
            sql = report.query.compile(
                dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                compile_kwargs={"literal_binds": True},
            )
            plan = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
            print("\n".join(plan.scalars()))
        await session.close()
    await engine.dispose()


async def main(employees: int) -> None:
    with postgres_admin_url() as admin, migrated_database(admin, "learning") as url:
        started = time.perf_counter()
        await load(url, employees)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
        print(f"load average before measuring: {os.getloadavg()}")
        await timed(
            url, "compliance evidence CSV, FIRE-0000, whole org (rows, compliant)", evidence_csv
        )
        await timed(
            url, "compliance evidence rows in Python, same query (rows, compliant)", evidence_rows
        )
        await timed(
            url, "completion rates by org unit (groups, enrollments counted)", rates_by_org_unit
        )
        await explain(url)
        print(f"load average after measuring: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
