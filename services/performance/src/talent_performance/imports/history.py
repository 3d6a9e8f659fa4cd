"""CSV imports of history from before this system: `ratings` and `assessments`.

Employees are named by their HRIS number and resolved through performance's projection
(terminated employees included: history outlives employment). A row already stored with
the same value changes nothing and publishes nothing, so re-importing a file is a no-op;
a new row publishes its event (rating.calibrated, competency.assessed), and a row whose
value differs from the stored one updates it and publishes the new value.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.csv import CSV_COLUMNS
from talent_contracts.performance import CompetencyAssessed, RatingCalibrated
from talent_performance.cycles.models import ReviewCycle
from talent_performance.db import outbox
from talent_performance.imports.models import HistoricalAssessment, HistoricalRating
from talent_performance.people.repository import EmployeeProjectionRepository
from talent_platform.auth import Principal
from talent_platform.csvimport import (
    ImportResult,
    Progress,
    RowErrors,
    parse_date,
    parse_int,
    read_rows,
    required,
)
from talent_platform.db.base import utcnow
from talent_platform.db.bulk import copy_rows

SOURCES = ("self", "manager", "peer", "assessment")
# The earliest time zone is UTC+14: a day begun anywhere is not "in the future".
_EARLIEST_ZONE = dt.timedelta(hours=14)


def _latest_day() -> dt.date:
    return (dt.datetime.now(dt.UTC) + _EARLIEST_ZONE).date()


async def import_ratings(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    say = progress or (lambda _message: None)
    rows = read_rows(data, CSV_COLUMNS["ratings"], kind="ratings")
    employees = await EmployeeProjectionRepository(session).ids_by_number()
    latest = _latest_day()
    errors = RowErrors()
    seen: dict[tuple[uuid.UUID, str], int] = {}
    parsed: list[dict[str, Any]] = []
    for row in rows:
        before = errors.total
        number = required(row, "employee_id", errors, max_length=64)
        cycle_code = required(row, "cycle_code", errors, max_length=100)
        rating = parse_int(row, "overall_rating", errors, low=1, high=5)
        rated_on = parse_date(row, "rated_on", errors)
        employee_id = employees.get(number) if number else None
        if number and employee_id is None:
            errors.add(row.number, "employee_id", f"unknown employee {number!r}")
        if rated_on and rated_on > latest:
            errors.add(row.number, "rated_on", f"{rated_on} is in the future")
        if errors.total > before or not (employee_id and cycle_code and rating and rated_on):
            continue
        key = (employee_id, cycle_code)
        if key in seen:
            errors.add(row.number, "cycle_code", f"repeats row {seen[key]}")
            continue
        seen[key] = row.number
        parsed.append(
            {
                "employee_id": employee_id,
                "cycle_code": cycle_code,
                "overall_rating": rating,
                "rated_on": rated_on,
            }
        )
    errors.raise_if_any("ratings")
    say(f"validated {len(parsed)} ratings")

    stored = {
        (r.employee_id, r.cycle_code): r
        for r in await session.scalars(
            select(HistoricalRating).where(
                HistoricalRating.employee_id.in_({p["employee_id"] for p in parsed})
            )
        )
    }
    cycles = {
        code: cycle_id
        for code, cycle_id in await session.execute(
            select(ReviewCycle.code, ReviewCycle.id).where(
                ReviewCycle.code.in_({p["cycle_code"] for p in parsed})
            )
        )
    }
    result = ImportResult(kind="ratings", rows=len(rows))
    new: list[dict[str, Any]] = []
    events: list[RatingCalibrated] = []
    now = utcnow()
    for p in parsed:
        found = stored.get((p["employee_id"], p["cycle_code"]))
        if found is not None and (found.overall_rating, found.rated_on) == (
            p["overall_rating"],
            p["rated_on"],
        ):
            result.unchanged += 1
            continue
        # read before the update: it also refreshes `found` in the session
        previous = found.overall_rating if found is not None else None
        if found is None:
            new.append({"id": uuid.uuid4(), "created_at": now, "updated_at": now, **p})
        else:
            await session.execute(
                update(HistoricalRating)
                .where(HistoricalRating.id == found.id)
                .values(overall_rating=p["overall_rating"], rated_on=p["rated_on"], updated_at=now)
            )
            result.updated += 1
        events.append(
            RatingCalibrated(
                employee_id=p["employee_id"],
                cycle_id=cycles.get(p["cycle_code"]),
                cycle_code=p["cycle_code"],
                overall_rating=p["overall_rating"],
                previous_rating=previous,
                rated_on=p["rated_on"],
            )
        )
    await copy_rows(session, HistoricalRating.__table__, new)  # type: ignore[arg-type]
    result.created = len(new)
    await session.run_sync(outbox.add, *events)
    result.events = len(events)
    return result


async def import_assessments(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    """Competency codes belong to people's framework; a code performance's projection
    does not know yet is accepted (the framework may arrive later), as learning does."""
    say = progress or (lambda _message: None)
    rows = read_rows(data, CSV_COLUMNS["assessments"], kind="assessments")
    employees = await EmployeeProjectionRepository(session).ids_by_number()
    latest = _latest_day()
    errors = RowErrors()
    seen: dict[tuple[uuid.UUID, str, dt.date, str], int] = {}
    parsed: list[dict[str, Any]] = []
    for row in rows:
        before = errors.total
        number = required(row, "employee_id", errors, max_length=64)
        code = required(row, "competency_code", errors, max_length=200)
        level = parse_int(row, "level", errors, low=1, high=5)
        assessed_on = parse_date(row, "assessed_on", errors)
        source = required(row, "source", errors, max_length=20)
        employee_id = employees.get(number) if number else None
        if number and employee_id is None:
            errors.add(row.number, "employee_id", f"unknown employee {number!r}")
        if source and source not in SOURCES:
            errors.add(row.number, "source", f"must be one of {', '.join(SOURCES)}")
        if assessed_on and assessed_on > latest:
            errors.add(row.number, "assessed_on", f"{assessed_on} is in the future")
        if errors.total > before or not (employee_id and code and level and assessed_on and source):
            continue
        key = (employee_id, code, assessed_on, source)
        if key in seen:
            errors.add(row.number, "competency_code", f"repeats row {seen[key]}")
            continue
        seen[key] = row.number
        parsed.append(
            {
                "employee_id": employee_id,
                "competency_code": code,
                "level": level,
                "assessed_on": assessed_on,
                "source": source,
            }
        )
    errors.raise_if_any("assessments")
    say(f"validated {len(parsed)} assessments")

    stored = {
        (a.employee_id, a.competency_code, a.assessed_on, a.source): a
        for a in await session.scalars(
            select(HistoricalAssessment).where(
                HistoricalAssessment.employee_id.in_({p["employee_id"] for p in parsed})
            )
        )
    }
    result = ImportResult(kind="assessments", rows=len(rows))
    new: list[dict[str, Any]] = []
    events: list[CompetencyAssessed] = []
    now = utcnow()
    for p in parsed:
        found = stored.get((p["employee_id"], p["competency_code"], p["assessed_on"], p["source"]))
        if found is not None and found.level == p["level"]:
            result.unchanged += 1
            continue
        if found is None:
            assessment_id = uuid.uuid4()
            new.append({"id": assessment_id, "created_at": now, "updated_at": now, **p})
        else:
            assessment_id = found.id
            await session.execute(
                update(HistoricalAssessment)
                .where(HistoricalAssessment.id == found.id)
                .values(level=p["level"], updated_at=now)
            )
            result.updated += 1
        events.append(
            CompetencyAssessed(
                assessment_id=assessment_id,
                employee_id=p["employee_id"],
                competency_code=p["competency_code"],
                level=p["level"],
                source=p["source"],
                assessed_on=p["assessed_on"],
                assessor_id=None,
                cycle_id=None,
            )
        )
    await copy_rows(session, HistoricalAssessment.__table__, new)  # type: ignore[arg-type]
    result.created = len(new)
    await session.run_sync(outbox.add, *events)
    result.events = len(events)
    return result
