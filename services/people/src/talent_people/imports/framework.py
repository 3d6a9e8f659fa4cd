"""CSV imports of the competency framework: competencies, job-profiles,
job-profile-competencies. Upserts by code; nothing is deleted; unchanged rows write
nothing and publish nothing, so re-importing a file is a no-op."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.csv import CSV_COLUMNS
from talent_people.db import outbox
from talent_people.framework.models import TIERS, Competency, JobProfile, JobProfileRequirement
from talent_people.framework.service import competency_event, job_profile_event
from talent_platform.csvimport import (
    ImportResult,
    RowErrors,
    duplicates,
    parse_choice,
    parse_int,
    read_rows,
    required,
)

COMPETENCY_COLUMNS = CSV_COLUMNS["competencies"]
JOB_PROFILE_COLUMNS = CSV_COLUMNS["job-profiles"]
REQUIREMENT_COLUMNS = CSV_COLUMNS["job-profile-competencies"]


async def import_competencies(session: AsyncSession, data: bytes | str) -> ImportResult:
    rows = read_rows(data, COMPETENCY_COLUMNS, kind="competencies")
    errors = RowErrors()
    parsed: list[dict[str, str]] = []
    for row in rows:
        code = required(row, "code", errors, max_length=200)
        name = required(row, "name", errors)
        tier = parse_choice(row, "tier", errors, TIERS)
        if code and name and tier:
            parsed.append(
                {"code": code, "name": name, "tier": tier, "description": row["description"]}
            )
    duplicates(rows, lambda r: r["code"], "code", errors)
    errors.raise_if_any("competencies")
    existing = {c.code: c for c in (await session.execute(select(Competency))).scalars().all()}
    result = ImportResult(kind="competencies", rows=len(rows))
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    events = []
    for p in parsed:
        found = existing.get(p["code"])
        if found is None:
            new.append({"id": uuid.uuid4(), **p})
        elif (found.name, found.tier, found.description) != (
            p["name"],
            p["tier"],
            p["description"],
        ):
            changed.append(
                {
                    "id": found.id,
                    "name": p["name"],
                    "tier": p["tier"],
                    "description": p["description"],
                }
            )
        else:
            result.unchanged += 1
            continue
        events.append(competency_event(Competency(**p)))
    if new:
        await session.execute(insert(Competency), new)
    if changed:
        await session.execute(update(Competency), changed)
    await session.run_sync(outbox.add, *events)
    result.created, result.updated, result.events = len(new), len(changed), len(events)
    return result


async def import_job_profiles(session: AsyncSession, data: bytes | str) -> ImportResult:
    rows = read_rows(data, JOB_PROFILE_COLUMNS, kind="job-profiles")
    errors = RowErrors()
    parsed: list[dict[str, object]] = []
    for row in rows:
        code = required(row, "code", errors, max_length=100)
        title = required(row, "title", errors)
        family = required(row, "family", errors, max_length=200)
        level = parse_int(row, "level", errors, low=1, high=10)
        if code and title and family and level is not None:
            parsed.append({"code": code, "title": title, "family": family, "level": level})
    duplicates(rows, lambda r: r["code"], "code", errors)
    errors.raise_if_any("job-profiles")
    existing = {p.code: p for p in (await session.execute(select(JobProfile))).scalars().all()}
    result = ImportResult(kind="job-profiles", rows=len(rows))
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    touched: list[str] = []
    for p in parsed:
        found = existing.get(str(p["code"]))
        if found is None:
            new.append({"id": uuid.uuid4(), **p})
        elif (found.title, found.family, found.level) != (p["title"], p["family"], p["level"]):
            changed.append(
                {"id": found.id, "title": p["title"], "family": p["family"], "level": p["level"]}
            )
        else:
            result.unchanged += 1
            continue
        touched.append(str(p["code"]))
    if new:
        await session.execute(insert(JobProfile), new)
    if changed:
        await session.execute(update(JobProfile), changed)
    result.events = await _publish_profiles(session, touched)
    result.created, result.updated = len(new), len(changed)
    return result


async def import_requirements(session: AsyncSession, data: bytes | str) -> ImportResult:
    """Adds or changes requirements; requirements absent from the file are kept."""
    rows = read_rows(data, REQUIREMENT_COLUMNS, kind="job-profile-competencies")
    profiles = {p.code: p.id for p in (await session.execute(select(JobProfile))).scalars().all()}
    competencies = {
        c.code: c.id for c in (await session.execute(select(Competency))).scalars().all()
    }
    errors = RowErrors()
    parsed: list[tuple[str, str, int, int]] = []
    for row in rows:
        profile = required(row, "job_profile_code", errors)
        competency = required(row, "competency_code", errors)
        level = parse_int(row, "required_level", errors, low=1, high=5)
        importance = parse_int(row, "importance", errors, low=1, high=5)
        if profile and profile not in profiles:
            errors.add(row.number, "job_profile_code", f"unknown job profile {profile!r}")
        if competency and competency not in competencies:
            errors.add(row.number, "competency_code", f"unknown competency {competency!r}")
        if profile and competency and level is not None and importance is not None:
            parsed.append((profile, competency, level, importance))
    duplicates(
        rows, lambda r: (r["job_profile_code"], r["competency_code"]), "competency_code", errors
    )
    errors.raise_if_any("job-profile-competencies")
    existing = {
        (r.job_profile_id, r.competency_id): r
        for r in (await session.execute(select(JobProfileRequirement))).scalars().all()
    }
    result = ImportResult(kind="job-profile-competencies", rows=len(rows))
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    touched: set[str] = set()
    for profile, competency, level, importance in parsed:
        key = (profiles[profile], competencies[competency])
        found = existing.get(key)
        if found is None:
            new.append(
                {
                    "id": uuid.uuid4(),
                    "job_profile_id": key[0],
                    "competency_id": key[1],
                    "required_level": level,
                    "importance": importance,
                }
            )
        elif (found.required_level, found.importance) != (level, importance):
            changed.append({"id": found.id, "required_level": level, "importance": importance})
        else:
            result.unchanged += 1
            continue
        touched.add(profile)
    if new:
        await session.execute(insert(JobProfileRequirement), new)
    if changed:
        await session.execute(update(JobProfileRequirement), changed)
    result.events = await _publish_profiles(session, sorted(touched))
    result.created, result.updated = len(new), len(changed)
    return result


async def _publish_profiles(session: AsyncSession, codes: list[str]) -> int:
    """One job_profile.updated per changed profile, carrying its full requirement list."""
    if not codes:
        return 0
    profiles = (
        (await session.execute(select(JobProfile).where(JobProfile.code.in_(codes))))
        .scalars()
        .all()
    )
    reqs = await session.execute(
        select(
            JobProfileRequirement.job_profile_id,
            Competency.code,
            JobProfileRequirement.required_level,
            JobProfileRequirement.importance,
        )
        .join(Competency, Competency.id == JobProfileRequirement.competency_id)
        .where(JobProfileRequirement.job_profile_id.in_([p.id for p in profiles]))
    )
    by_profile: dict[uuid.UUID, list[tuple[str, int, int]]] = defaultdict(list)
    for profile_id, code, level, importance in reqs.all():
        by_profile[profile_id].append((code, level, importance))
    await session.run_sync(outbox.add, *(job_profile_event(p, by_profile[p.id]) for p in profiles))
    return len(profiles)
