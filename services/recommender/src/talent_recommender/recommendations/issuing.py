"""Recommendation ids and the record of what was served (`issued_recommendation`).

A recommendation's id is a uuid5 of what it recommends to whom, so the same course for
the same employee keeps its id across requests, model versions and restarts: a front
end can hand it to learning's `assignLearning(recommendationId:)` and the acceptance
comes back to the same row. `issue` records a served list in one statement and publishes
`recommendation.issued` (through the outbox) only for ids served for the first time.
Successor suggestions use the same function with kind "successor" and a key role id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Boolean, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from talent_contracts.recommender import RecommendationIssued
from talent_platform.db.base import utcnow
from talent_recommender.db import outbox
from talent_recommender.recommendations.models import IssuedRecommendation

Kind = Literal["course", "successor"]

# Fixed forever: changing it would give every recommendation a new id.
RECOMMENDATION_NAMESPACE = uuid.UUID("5d0f4f7e-8a43-5b0e-9a51-3c0f2b7d6e11")
# Serving a known recommendation again refreshes its row at most this often, so a read
# costs one statement that usually writes nothing.
REFRESH_AFTER = dt.timedelta(hours=1)


def course_recommendation_id(employee_id: uuid.UUID, course_code: str) -> uuid.UUID:
    return uuid.uuid5(RECOMMENDATION_NAMESPACE, f"course/{employee_id}/{course_code}")


def successor_recommendation_id(employee_id: uuid.UUID, key_role_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(RECOMMENDATION_NAMESPACE, f"successor/{key_role_id}/{employee_id}")


@dataclass(frozen=True)
class IssuedItem:
    """One served recommendation: a course for an employee, or an employee as a
    successor for a key role."""

    employee_id: uuid.UUID
    score: float
    reasons: tuple[str, ...] = ()
    course_code: str | None = None
    key_role_id: uuid.UUID | None = None

    @property
    def recommendation_id(self) -> uuid.UUID:
        if self.course_code is not None:
            return course_recommendation_id(self.employee_id, self.course_code)
        if self.key_role_id is not None:
            return successor_recommendation_id(self.employee_id, self.key_role_id)
        raise ValueError("an issued recommendation names a course or a key role")


async def issue(
    session: AsyncSession,
    kind: Kind,
    items: Sequence[IssuedItem],
    *,
    model_version: int | None,
    now: dt.datetime | None = None,
) -> set[uuid.UUID]:
    """Record `items` as served now; returns the ids issued for the first time (each
    also published as `recommendation.issued`). Rows already issued get their score and
    last_issued_at refreshed when older than REFRESH_AFTER."""
    if not items:
        return set()
    now = now or utcnow()
    by_id = {item.recommendation_id: item for item in items}
    rows = [
        {
            "recommendation_id": rid,
            "kind": kind,
            "employee_id": item.employee_id,
            "course_code": item.course_code,
            "key_role_id": item.key_role_id,
            "score": item.score,
            "model_version": model_version,
            "first_issued_at": now,
            "last_issued_at": now,
        }
        # Sorted: concurrent requests lock shared rows in the same order (no deadlock).
        for rid, item in sorted(by_id.items())
    ]
    statement = insert(IssuedRecommendation).values(rows)
    upsert = statement.on_conflict_do_update(
        index_elements=[IssuedRecommendation.recommendation_id],
        set_={
            "score": statement.excluded.score,
            "model_version": statement.excluded.model_version,
            "last_issued_at": statement.excluded.last_issued_at,
        },
        where=IssuedRecommendation.last_issued_at < now - REFRESH_AFTER,
    ).returning(
        IssuedRecommendation.recommendation_id,
        # xmax is 0 on a freshly inserted row version, not on an updated one.
        literal_column("(xmax = 0)", Boolean).label("inserted"),
    )
    result = await session.execute(upsert)
    new = {rid for rid, inserted in result.all() if inserted}
    await session.run_sync(
        outbox.add,
        *(
            RecommendationIssued(
                recommendation_id=rid,
                kind=kind,
                employee_id=by_id[rid].employee_id,
                course_code=by_id[rid].course_code,
                key_role_id=by_id[rid].key_role_id,
                score=round(by_id[rid].score, 4),
                model_version=model_version,
                reasons=by_id[rid].reasons,
                issued_at=now,
            )
            for rid in sorted(new)
        ),
    )
    return new
