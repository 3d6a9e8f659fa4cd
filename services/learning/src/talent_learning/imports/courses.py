"""CSV imports of the catalog: `courses` and `course-skills`.

Upserts by code (by course and competency for skills); nothing is deleted, so a skill
absent from a file is kept. Unchanged rows write nothing and publish nothing, so
re-importing a file is a no-op; every created or changed course publishes one
course.published carrying its full skill list.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.csv import CSV_COLUMNS
from talent_learning.courses.models import MODALITIES, Course, CourseSkill
from talent_learning.courses.repository import CourseRepository
from talent_learning.courses.service import CourseService
from talent_learning.db import outbox
from talent_platform.auth import Principal
from talent_platform.csvimport import (
    ImportResult,
    Progress,
    RowErrors,
    duplicates,
    parse_bool,
    parse_choice,
    parse_float,
    parse_int,
    read_rows,
    required,
)

COURSE_COLUMNS = CSV_COLUMNS["courses"]
COURSE_SKILL_COLUMNS = CSV_COLUMNS["course-skills"]
# The columns of `course` a courses file sets, in the order they are compared.
_COURSE_FIELDS = (
    "title",
    "description",
    "duration_hours",
    "modality",
    "mandatory",
    "recertify_months",
)


async def import_courses(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    rows = read_rows(data, COURSE_COLUMNS, kind="courses")
    errors = RowErrors()
    parsed: list[dict[str, Any]] = []
    for row in rows:
        before = errors.total
        code = required(row, "code", errors, max_length=100)
        title = required(row, "title", errors, max_length=300)
        hours = parse_float(row, "duration_hours", errors, low=0, high=10_000)
        modality = parse_choice(row, "modality", errors, MODALITIES)
        mandatory = parse_bool(row, "mandatory", errors)
        recertify = parse_int(row, "recertify_months", errors, low=1, high=600, optional=True)
        if errors.total == before:
            parsed.append(
                {
                    "code": code,
                    "title": title,
                    "description": row["description"],
                    "duration_hours": hours,
                    "modality": modality,
                    "mandatory": mandatory,
                    "recertify_months": recertify,
                }
            )
    duplicates(rows, lambda r: r["code"], "code", errors)
    errors.raise_if_any("courses")

    existing = await CourseRepository(session).all_by_code()
    result = ImportResult(kind="courses", rows=len(rows))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    touched: list[str] = []
    for p in parsed:
        found = existing.get(p["code"])
        if found is None:
            new.append({"id": uuid.uuid4(), "active": True, **p})
        elif any(getattr(found, f) != p[f] for f in _COURSE_FIELDS):
            changed.append(
                {"id": found.id, "version": found.version + 1, **{f: p[f] for f in _COURSE_FIELDS}}
            )
        else:
            result.unchanged += 1
            continue
        touched.append(p["code"])
    if new:
        await session.execute(insert(Course), new)
    if changed:
        await session.execute(update(Course), changed)
    result.events = await _publish(session, touched)
    result.created, result.updated = len(new), len(changed)
    return result


async def import_course_skills(
    session: AsyncSession,
    data: bytes | str,
    *,
    principal: Principal,
    progress: Progress | None = None,
) -> ImportResult:
    """Adds or changes skills; skills absent from the file are kept.

    Competency codes belong to the people service's framework. Learning keeps no
    projection of the framework yet, so they are not checked against it here: a code
    people does not know is stored as given.
    """
    rows = read_rows(data, COURSE_SKILL_COLUMNS, kind="course-skills")
    courses = {code: c.id for code, c in (await CourseRepository(session).all_by_code()).items()}
    errors = RowErrors()
    parsed: list[tuple[str, str, int]] = []
    for row in rows:
        course = required(row, "course_code", errors, max_length=100)
        competency = required(row, "competency_code", errors, max_length=200)
        level = parse_int(row, "level", errors, low=1, high=5)
        if course and course not in courses:
            errors.add(row.number, "course_code", f"unknown course {course!r}")
        if course in courses and competency and level is not None:
            parsed.append((course, competency, level))
    duplicates(rows, lambda r: (r["course_code"], r["competency_code"]), "competency_code", errors)
    errors.raise_if_any("course-skills")

    existing = {
        (s.course_id, s.competency_code): s for s in await CourseRepository(session).all_skills()
    }
    result = ImportResult(kind="course-skills", rows=len(rows))
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    touched: set[str] = set()
    for course, competency, level in parsed:
        found = existing.get((courses[course], competency))
        if found is None:
            new.append(
                {
                    "id": uuid.uuid4(),
                    "course_id": courses[course],
                    "competency_code": competency,
                    "level": level,
                }
            )
        elif found.level != level:
            changed.append({"id": found.id, "level": level})
        else:
            result.unchanged += 1
            continue
        touched.add(course)
    if new:
        await session.execute(insert(CourseSkill), new)
    if changed:
        await session.execute(update(CourseSkill), changed)
    result.events = await _publish(session, sorted(touched))
    result.created, result.updated = len(new), len(changed)
    return result


async def _publish(session: AsyncSession, codes: list[str]) -> int:
    """One course.published per created or changed course, with its full skill list."""
    events = await CourseService(session).published_events(codes)
    await session.run_sync(outbox.add, *events)
    return len(events)
