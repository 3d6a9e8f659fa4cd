"""CSV import of completions, as LMS exports them (100,000+ rows).

Employees are named by their HRIS number and resolved through learning's projection of
people's employees; a terminated employee's completions are accepted (exports carry
history). Only (employee, course, day) triples not stored yet are inserted, in bulk; a
completion already stored is kept as it is (its score is not corrected), so re-importing
a file inserts and publishes nothing. Each new completion publishes enrollment.completed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.csv import CSV_COLUMNS
from talent_contracts.learning import EnrollmentCompleted
from talent_learning.completions.repository import CompletionRepository
from talent_learning.completions.service import latest_allowed_day
from talent_learning.courses.repository import CourseRepository
from talent_learning.db import outbox
from talent_learning.enrollments.repository import EnrollmentRepository
from talent_learning.people.repository import EmployeeProjectionRepository
from talent_platform.auth import Principal
from talent_platform.csvimport import (
    ImportResult,
    Progress,
    RowErrors,
    parse_date,
    parse_float,
    read_rows,
    required,
)

COMPLETION_COLUMNS = CSV_COLUMNS["completions"]
BATCH = 5000


async def import_completions(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    say = progress or (lambda _message: None)
    rows = read_rows(data, COMPLETION_COLUMNS, kind="completions")
    say(f"read {len(rows)} rows")
    employees = await EmployeeProjectionRepository(session).ids_by_number()
    courses = {code: c.id for code, c in (await CourseRepository(session).all_by_code()).items()}
    latest = latest_allowed_day()
    errors = RowErrors()
    seen: dict[tuple[uuid.UUID, uuid.UUID, dt.date], int] = {}
    parsed: list[dict[str, Any]] = []
    course_codes: dict[uuid.UUID, str] = {}
    for row in rows:
        before = errors.total
        number = required(row, "employee_id", errors, max_length=64)
        code = required(row, "course_code", errors, max_length=100)
        completed_on = parse_date(row, "completed_on", errors)
        score = parse_float(row, "score", errors, low=0, high=100, optional=True)
        employee_id = employees.get(number) if number else None
        course_id = courses.get(code) if code else None
        if number and employee_id is None:
            errors.add(row.number, "employee_id", f"unknown employee {number!r}")
        if code and course_id is None:
            errors.add(row.number, "course_code", f"unknown course {code!r}")
        if completed_on and completed_on > latest:
            errors.add(row.number, "completed_on", f"{completed_on} is in the future")
        if errors.total > before or not (employee_id and course_id and completed_on):
            continue
        key = (employee_id, course_id, completed_on)
        if key in seen:
            errors.add(row.number, "completed_on", f"repeats row {seen[key]}")
            continue
        seen[key] = row.number
        course_codes[course_id] = code  # type: ignore[assignment]  # code is set when course_id is
        parsed.append(
            {
                "id": uuid.uuid4(),
                "employee_id": employee_id,
                "course_id": course_id,
                "completed_on": completed_on,
                "score": score,
                "source": "import",
                "recorded_by": principal.subject,
            }
        )
    errors.raise_if_any("completions")
    say(f"validated {len(parsed)} completions")

    repository = CompletionRepository(session)
    stored = await repository.keys_of({p["employee_id"] for p in parsed})
    new = [p for p in parsed if (p["employee_id"], p["course_id"], p["completed_on"]) not in stored]
    say(f"{len(new)} new completions, {len(parsed) - len(new)} already recorded")
    for i in range(0, len(new), BATCH):
        await repository.insert_many(new[i : i + BATCH])
        say(f"inserted {min(i + BATCH, len(new))}/{len(new)} completions")
    closed: dict[uuid.UUID, uuid.UUID] = {}
    enrollments = EnrollmentRepository(session)
    for i in range(0, len(new), BATCH):
        closed |= await enrollments.close_with_completions(
            [(p["id"], p["employee_id"], p["course_id"], p["score"]) for p in new[i : i + BATCH]]
        )
    say(f"completed {len(closed)} open enrollments")
    events = [
        EnrollmentCompleted(
            completion_id=p["id"],
            employee_id=p["employee_id"],
            course_code=course_codes[p["course_id"]],
            completed_on=p["completed_on"],
            score=p["score"],
            source="import",
            enrollment_id=closed.get(p["id"]),
        )
        for p in new
    ]
    await session.run_sync(outbox.add, *events)
    say(f"queued {len(events)} events")
    return ImportResult(
        kind="completions",
        rows=len(rows),
        created=len(new),
        unchanged=len(parsed) - len(new),
        events=len(events),
    )
