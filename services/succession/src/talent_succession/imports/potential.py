"""CSV import of potential assessments (history, as HR exports it).

Employees are named by their HRIS number. An assessment already stored for the same
employee, day and potential is skipped, so re-importing a file inserts and publishes
nothing; a different potential for a stored day adds an assessment (the newer record
wins). Review-by dates default to 12 months after the assessment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import ARRAY, Table, Uuid, any_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.csv import CSV_COLUMNS
from talent_platform.auth import Principal
from talent_platform.calendar import add_months
from talent_platform.csvimport import (
    ImportResult,
    Progress,
    RowErrors,
    parse_choice,
    parse_date,
    read_rows,
    required,
)
from talent_platform.db.bulk import copy_rows
from talent_succession.audit.service import AuditLog
from talent_succession.config import SuccessionSettings
from talent_succession.dates import EARLIEST_DAY, latest_allowed_day
from talent_succession.db import outbox
from talent_succession.key_roles.models import LEVELS
from talent_succession.ninebox.placements import refresh_placements
from talent_succession.people.repository import EmployeeProjectionRepository
from talent_succession.potential.models import PotentialAssessment
from talent_succession.potential.service import potential_assessed

POTENTIAL_COLUMNS = CSV_COLUMNS["potential"]
BATCH = 5000


async def import_potential(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    say = progress or (lambda _message: None)
    rows = read_rows(data, POTENTIAL_COLUMNS, kind="potential")
    ids = await EmployeeProjectionRepository(session).ids_by_number()
    latest = latest_allowed_day()
    months = SuccessionSettings().review_interval_months
    errors = RowErrors()
    seen: dict[tuple[uuid.UUID, dt.date], int] = {}
    parsed: list[dict[str, Any]] = []
    for row in rows:
        before = errors.total
        number = required(row, "employee_id", errors, max_length=64)
        potential = parse_choice(row, "potential", errors, LEVELS)
        assessed_on = parse_date(row, "assessed_on", errors)
        employee_id = ids.get(number) if number else None
        if number and employee_id is None:
            errors.add(row.number, "employee_id", f"unknown employee {number!r}")
        if assessed_on and assessed_on > latest:
            errors.add(row.number, "assessed_on", f"{assessed_on} is in the future")
        elif assessed_on and assessed_on < EARLIEST_DAY:
            errors.add(row.number, "assessed_on", "is not a plausible date")
        if errors.total > before or not (employee_id and assessed_on and potential):
            continue
        key = (employee_id, assessed_on)
        if key in seen:
            errors.add(row.number, "assessed_on", f"repeats row {seen[key]}")
            continue
        seen[key] = row.number
        parsed.append(
            {
                "id": uuid.uuid4(),
                "employee_id": employee_id,
                "potential": potential,
                "assessed_on": assessed_on,
                "assessor_id": None,
                "review_by": add_months(assessed_on, months),
                "notes": "",
                "source": "import",
                "recorded_by": principal.subject,
            }
        )
    errors.raise_if_any("potential")
    say(f"validated {len(parsed)} assessments")

    employee_ids = bindparam(
        "employee_ids", list({p["employee_id"] for p in parsed}), type_=ARRAY(Uuid())
    )
    stored = {
        (e, d, p)
        for e, d, p in (
            await session.execute(
                select(
                    PotentialAssessment.employee_id,
                    PotentialAssessment.assessed_on,
                    PotentialAssessment.potential,
                ).where(PotentialAssessment.employee_id == any_(employee_ids))
            )
        ).all()
    }
    new = [p for p in parsed if (p["employee_id"], p["assessed_on"], p["potential"]) not in stored]
    table = cast(Table, PotentialAssessment.__table__)
    for i in range(0, len(new), BATCH):
        await copy_rows(session, table, new[i : i + BATCH])
        say(f"inserted {min(i + BATCH, len(new))}/{len(new)} assessments")
    await session.run_sync(refresh_placements, {p["employee_id"] for p in new})
    events = [potential_assessed(PotentialAssessment(**p)) for p in new]
    await session.run_sync(outbox.add, *events)
    await AuditLog(session, principal).record(
        "potential.imported", "import", "potential", after={"created": len(new)}
    )
    return ImportResult(
        kind="potential",
        rows=len(rows),
        created=len(new),
        unchanged=len(parsed) - len(new),
        events=len(events),
    )
