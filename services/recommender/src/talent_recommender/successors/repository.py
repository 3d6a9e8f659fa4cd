"""The reads behind successor suggestions: the key role, a shortlist, and the evidence of
the shortlisted candidates.

The shortlist is one statement over everyone: active employees whose job profile sits
in the level band below the role (CANDIDATE_LEVELS_BELOW levels below up to the role's
level, any family, as the offline evaluation replays it), scored in SQL with the same
formula as successors.scoring.rank_successors minus the readiness part (HR's readiness
exists only for slate members, who are always added), best SHORTLIST kept. Ranking the
shortlist in Python therefore gives the same top suggestions as ranking everyone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from talent_recommender.ingest.models import (
    Employee,
    JobProfile,
    KeyRole,
    Nomination,
    Potential,
)
from talent_recommender.profiles.models import SkillEstimate
from talent_recommender.recommendations.models import IssuedRecommendation
from talent_recommender.recommendations.scoring import (
    NO_EVIDENCE_LEVEL,
    Basis,
    LevelEstimate,
    Requirement,
)
from talent_recommender.successors import scoring
from talent_recommender.successors.models import SuccessorDismissal

# Candidates whose current job profile is at most this many levels below the role.
CANDIDATE_LEVELS_BELOW = 2
# How many candidates the SQL pre-score keeps for exact ranking (besides the slate).
SHORTLIST = 200


@dataclass(frozen=True)
class SlateEntry:
    employee_id: uuid.UUID
    rank: int | None
    readiness: scoring.Readiness | None
    nominated_on: dt.date | None
    suggestion_id: uuid.UUID | None


@dataclass(frozen=True)
class CandidateRow:
    employee_id: uuid.UUID
    status: str
    org_unit_code: str | None
    job_profile_code: str | None
    job_title: str | None
    job_family: str | None
    job_level: int | None


def _case(column: str, table: dict[int, float], default: float) -> str:
    whens = " ".join(f"WHEN {below} THEN {value}" for below, value in sorted(table.items()))
    return f"CASE {column} {whens} ELSE {default} END"


def _shortlist_sql() -> str:
    same = _case(":role_level - p.level", scoring.SAME_FAMILY, scoring.FAR_MOVE)
    other = _case(":role_level - p.level", scoring.OTHER_FAMILY, scoring.FAR_MOVE)
    potential = " ".join(
        f"WHEN '{name}' THEN {value}" for name, value in scoring.POTENTIAL_VALUE.items()
    )
    return f"""
WITH req AS (
    SELECT competency_code, required_level, importance
    FROM job_requirement WHERE job_profile_code = :profile
), reached AS (
    SELECT s.employee_id,
           sum(r.importance * (least(s.level, r.required_level) - {NO_EVIDENCE_LEVEL}))
               AS above_floor
    FROM skill_estimate s JOIN req r ON r.competency_code = s.competency_code
    GROUP BY s.employee_id
)
SELECT e.employee_id
FROM employee e
JOIN job_profile p ON p.code = e.job_profile_code
LEFT JOIN reached f ON f.employee_id = e.employee_id
LEFT JOIN performance_summary ps ON ps.employee_id = e.employee_id
LEFT JOIN potential pt ON pt.employee_id = e.employee_id
WHERE e.status = 'active'
  AND p.level = ANY(:levels)
  AND NOT (e.employee_id = ANY(:excluded))
ORDER BY
    {scoring.FIT_WEIGHT} * CASE WHEN :required > 0
        THEN (:floor + coalesce(f.above_floor, 0)) / :required ELSE 0 END
  + {scoring.PERFORMANCE_WEIGHT} * coalesce((ps.recent_mean - 1) / 4, {scoring.NO_RATING})
  + {scoring.POTENTIAL_WEIGHT} * CASE pt.potential {potential} ELSE {scoring.NO_POTENTIAL} END
  + {scoring.ADJACENCY_WEIGHT} * CASE
        WHEN p.family = :family THEN {same} ELSE {other} END
    DESC,
    e.employee_id
LIMIT :limit
"""


SHORTLIST_SQL = text(_shortlist_sql())


class SuccessorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def key_role(self, key_role_id: uuid.UUID) -> KeyRole | None:
        return await self.session.get(KeyRole, key_role_id)

    async def job_profile(self, code: str | None) -> JobProfile | None:
        return None if code is None else await self.session.get(JobProfile, code)

    async def slate(self, key_role_id: uuid.UUID) -> tuple[list[SlateEntry], set[uuid.UUID]]:
        """The role's current slate by rank, and who was removed from it (and is not
        back on it)."""
        rows = (
            await self.session.scalars(
                select(Nomination).where(Nomination.key_role_id == key_role_id)
            )
        ).all()
        current = [n for n in rows if n.removed_on is None and n.nominated_on is not None]
        on_slate = {n.employee_id for n in current}
        removed = {n.employee_id for n in rows if n.removed_on is not None} - on_slate
        entries = [
            SlateEntry(
                employee_id=n.employee_id,
                rank=n.rank,
                readiness=scoring.Readiness(n.readiness) if n.readiness else None,
                nominated_on=n.nominated_on,
                suggestion_id=n.suggestion_id,
            )
            for n in current
        ]
        entries.sort(key=lambda s: (s.rank or 0, str(s.employee_id)))
        return entries, removed

    async def dismissed(self, key_role_id: uuid.UUID) -> set[uuid.UUID]:
        """Employees whose suggestion for this role HR dismissed."""
        rows = await self.session.scalars(
            select(SuccessorDismissal.employee_id).where(
                SuccessorDismissal.key_role_id == key_role_id
            )
        )
        return set(rows.all())

    async def dismissal(
        self, key_role_id: uuid.UUID, employee_id: uuid.UUID
    ) -> SuccessorDismissal | None:
        return await self.session.scalar(
            select(SuccessorDismissal).where(
                SuccessorDismissal.key_role_id == key_role_id,
                SuccessorDismissal.employee_id == employee_id,
            )
        )

    async def shortlist(
        self,
        *,
        profile: JobProfile | None,
        requirements: Sequence[Requirement],
        excluded: Collection[uuid.UUID],
        limit: int = SHORTLIST,
    ) -> list[uuid.UUID]:
        level = profile.level if profile is not None else None
        rows = await self.session.scalars(
            SHORTLIST_SQL,
            {
                "profile": profile.code if profile is not None else None,
                "family": profile.family if profile is not None else None,
                "role_level": level if level is not None else 0,
                # A list, not BETWEEN: psycopg prepares a statement used repeatedly, and
                # PostgreSQL's generic plan for a range guesses 2 of 500 profiles (it is
                # half) and picks nested loops over ~50,000 employees (2.5x slower).
                "levels": (
                    list(range(level - CANDIDATE_LEVELS_BELOW, level + 1))
                    if level is not None
                    else list(range(-1000, 1001))
                ),
                "required": float(sum(r.required_level * r.importance for r in requirements)),
                "floor": float(sum(NO_EVIDENCE_LEVEL * r.importance for r in requirements)),
                "excluded": list(excluded),
                "limit": limit,
            },
        )
        return list(rows.all())

    async def candidates(self, employee_ids: Collection[uuid.UUID]) -> list[CandidateRow]:
        rows = await self.session.execute(
            select(
                Employee.employee_id,
                Employee.status,
                Employee.org_unit_code,
                Employee.job_profile_code,
                JobProfile.title,
                JobProfile.family,
                JobProfile.level,
            )
            .outerjoin(JobProfile, JobProfile.code == Employee.job_profile_code)
            .where(Employee.employee_id.in_(list(employee_ids)))
        )
        return [CandidateRow(*row) for row in rows.all()]

    async def estimates(
        self, employee_ids: Collection[uuid.UUID], competency_codes: Collection[str]
    ) -> dict[uuid.UUID, dict[str, LevelEstimate]]:
        """Evidence-based estimates only: a successor decision rests on evidence, never
        on a model's guess."""
        found: dict[uuid.UUID, dict[str, LevelEstimate]] = defaultdict(dict)
        if not employee_ids or not competency_codes:
            return found
        rows = await self.session.execute(
            select(
                SkillEstimate.employee_id,
                SkillEstimate.competency_code,
                SkillEstimate.level,
                SkillEstimate.confidence,
            ).where(
                SkillEstimate.employee_id.in_(list(employee_ids)),
                SkillEstimate.competency_code.in_(list(competency_codes)),
            )
        )
        for employee_id, code, level, confidence in rows.all():
            found[employee_id][code] = LevelEstimate(level, confidence, Basis.EVIDENCE)
        return found

    async def recent_ratings(
        self, employee_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[tuple[str, int]]]:
        """The two most recent calibrated ratings per employee, most recent first."""
        found: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
        if not employee_ids:
            return found
        rows = await self.session.execute(
            text(
                "SELECT employee_id, cycle_code, overall_rating FROM ("
                " SELECT employee_id, cycle_code, overall_rating, row_number() OVER ("
                "  PARTITION BY employee_id ORDER BY rated_on DESC, cycle_code DESC) AS n"
                " FROM rating WHERE employee_id = ANY(:ids)) recent"
                " WHERE n <= 2 ORDER BY employee_id, n"
            ),
            {"ids": list(employee_ids)},
        )
        for employee_id, cycle, rating in rows.all():
            found[employee_id].append((cycle, rating))
        return found

    async def potentials(self, employee_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not employee_ids:
            return {}
        rows = await self.session.execute(
            select(Potential.employee_id, Potential.potential).where(
                Potential.employee_id.in_(list(employee_ids))
            )
        )
        return {e: p for e, p in rows.all()}

    async def accepted(self, recommendation_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        if not recommendation_ids:
            return set()
        rows = await self.session.scalars(
            select(IssuedRecommendation.recommendation_id).where(
                IssuedRecommendation.recommendation_id.in_(list(recommendation_ids)),
                IssuedRecommendation.accepted_at.is_not(None),
            )
        )
        return set(rows.all())
