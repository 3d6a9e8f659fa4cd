"""Certifications: the latest completion of each course that must be renewed
(`recertify_months`), valid until completed_on + recertify_months. Derived from the
completions themselves, so nothing is stored twice and no completion is ever rewritten."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from talent_learning.completions.models import Completion
from talent_learning.courses.models import Course
from talent_learning.enrollments.assign import add_months


@dataclass(frozen=True)
class Certification:
    employee_id: uuid.UUID
    course_id: uuid.UUID
    completion_id: uuid.UUID
    completed_on: dt.date
    valid_until: dt.date


async def certifications_of(
    session: AsyncSession, employee_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[Certification]]:
    """Each employee's certifications, soonest expiry first, in one query."""
    if not employee_ids:
        return {}
    valid_until = add_months(Completion.completed_on, Course.recertify_months)
    latest = (
        select(
            Completion.employee_id,
            Completion.course_id,
            Completion.id,
            Completion.completed_on,
            valid_until.label("valid_until"),
        )
        .join(Course, Course.id == Completion.course_id)
        .where(Completion.employee_id.in_(list(employee_ids)), Course.recertify_months.is_not(None))
        .ext(distinct_on(Completion.employee_id, Completion.course_id))
        .order_by(Completion.employee_id, Completion.course_id, Completion.completed_on.desc())
    )
    grouped: dict[uuid.UUID, list[Certification]] = defaultdict(list)
    for row in (await session.execute(latest)).all():
        grouped[row[0]].append(Certification(*row))
    for found in grouped.values():
        found.sort(key=lambda c: c.valid_until)
    return grouped
