"""The reads behind successor suggestions: the key role, a shortlist, and the evidence of
the shortlisted candidates.

The shortlist is one statement over every active employee of the organisation (any org
unit, any job family, any level), pre-scored in SQL on competency fit and role adjacency:
each required competency counts at the candidate's job profile's prior (from the latest
model), corrected where they have evidence by the stored estimate's difference from the
competency's typical level. Ratings, potential and HR's readiness are left to the exact
ranking: together they move a score by at most about 0.15, so the best SHORTLIST by this
pre-score, plus the slate, are ranked exactly in Python on their posteriors.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from talent_recommender.ingest.models import (
    Employee,
    JobProfile,
    KeyRole,
    Nomination,
    Potential,
)
from talent_recommender.profiles.estimates import years_in_role
from talent_recommender.profiles.inference import LoadedModel
from talent_recommender.profiles.models import SkillEstimate
from talent_recommender.profiles.posterior import confidence_of
from talent_recommender.recommendations.models import IssuedRecommendation
from talent_recommender.recommendations.scoring import (
    NO_EVIDENCE_LEVEL,
    Basis,
    LevelEstimate,
    Requirement,
)
from talent_recommender.successors import scoring
from talent_recommender.successors.models import SuccessorDismissal

# How many candidates the SQL pre-score keeps for exact ranking (besides the slate).
SHORTLIST = 120


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
    in_role_since: dt.date | None = None


def _case(column: str, table: dict[int, float], default: float) -> str:
    whens = " ".join(f"WHEN {below} THEN {value}" for below, value in sorted(table.items()))
    return f"CASE {column} {whens} ELSE {default} END"


def _shortlist_sql() -> str:
    same = _case(":role_level - p.level", scoring.SAME_FAMILY, scoring.FAR_MOVE)
    other = _case(":role_level - p.level", scoring.OTHER_FAMILY, scoring.FAR_MOVE)
    return f"""
WITH req AS (
    SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:required_levels AS float8[]),
                         CAST(:importances AS float8[]), CAST(:typical_levels AS float8[]))
        AS r(competency_code, required_level, importance, typical_level)
), base AS (
    SELECT * FROM unnest(CAST(:base_profiles AS text[]), CAST(:base_reached AS float8[]))
        AS b(job_profile_code, reached)
), evidence AS (
    SELECT s.employee_id,
           sum(r.importance * (least(s.level, r.required_level)
               - least(r.typical_level, r.required_level))) AS gained
    FROM skill_estimate s
    JOIN req r ON r.competency_code = s.competency_code
    GROUP BY s.employee_id
)
SELECT e.employee_id
FROM employee e
LEFT JOIN job_profile p ON p.code = e.job_profile_code
LEFT JOIN base b ON b.job_profile_code = e.job_profile_code
LEFT JOIN evidence f ON f.employee_id = e.employee_id
WHERE e.status = 'active'
  AND NOT (e.employee_id = ANY(:excluded))
ORDER BY
    {scoring.FIT_WEIGHT} * CASE WHEN :required > 0
        THEN (coalesce(b.reached, :no_profile_reached) + coalesce(f.gained, 0)) / :required
        ELSE 0 END
  + {scoring.ADJACENCY_WEIGHT} * CASE
        WHEN p.level IS NULL THEN {scoring.UNKNOWN_LEVEL}
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
        model: LoadedModel | None,
        limit: int = SHORTLIST,
    ) -> list[uuid.UUID]:
        codes = [r.competency_code for r in requirements]
        typical = [NO_EVIDENCE_LEVEL] * len(requirements)
        base: dict[str, float] = {}
        no_profile_reached = sum(r.importance * NO_EVIDENCE_LEVEL for r in requirements)
        if model is not None:
            typical = [
                model.skills.prior_of(None, r.competency_code) or NO_EVIDENCE_LEVEL
                for r in requirements
            ]
            base, no_profile_reached = model.skills.reached_by_profile(
                [(r.competency_code, r.required_level, r.importance) for r in requirements],
                missing_level=NO_EVIDENCE_LEVEL,
            )
        rows = await self.session.scalars(
            SHORTLIST_SQL,
            {
                "codes": codes,
                "required_levels": [float(r.required_level) for r in requirements],
                "importances": [float(r.importance) for r in requirements],
                "typical_levels": typical,
                "base_profiles": list(base),
                "base_reached": list(base.values()),
                "no_profile_reached": no_profile_reached,
                "family": profile.family if profile is not None else None,
                "role_level": profile.level if profile is not None and profile.level else 0,
                "required": float(sum(r.required_level * r.importance for r in requirements)),
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
                func.coalesce(Employee.in_role_since, Employee.hire_date),
            )
            .outerjoin(JobProfile, JobProfile.code == Employee.job_profile_code)
            .where(Employee.employee_id.in_(list(employee_ids)))
        )
        return [CandidateRow(*row) for row in rows.all()]

    async def estimates(
        self,
        candidates: Sequence[CandidateRow],
        competency_codes: Collection[str],
        *,
        model: LoadedModel | None,
    ) -> dict[uuid.UUID, dict[str, LevelEstimate]]:
        """Each candidate's estimates of the role's competencies: the stored posterior
        where they have evidence, inferred by the model where they have none (labelled
        inferred) from their job profile, years in it and their evidence on the role's
        other competencies (not on every competency they have: what the role asks for
        carries the fit, and it keeps a request over a shortlist fast)."""
        found: dict[uuid.UUID, dict[str, LevelEstimate]] = defaultdict(dict)
        if not candidates or not competency_codes:
            return found
        ids = [c.employee_id for c in candidates]
        rows = await self.session.execute(
            select(
                SkillEstimate.employee_id,
                SkillEstimate.competency_code,
                SkillEstimate.level,
                SkillEstimate.confidence,
                SkillEstimate.evidence_level,
                SkillEstimate.evidence_precision,
            ).where(
                SkillEstimate.employee_id.in_(ids),
                SkillEstimate.competency_code.in_(list(competency_codes)),
            )
        )
        summaries: dict[uuid.UUID, dict[str, tuple[float, float]]] = defaultdict(dict)
        for employee_id, code, level, confidence, mean, precision in rows.all():
            found[employee_id][code] = LevelEstimate(level, confidence, Basis.EVIDENCE)
            if mean is not None and precision:
                summaries[employee_id][code] = (mean, precision)
        if model is None:
            return found
        skills = model.skills
        wanted = [c for c in competency_codes if c in skills.competency_index]
        inferring = [c for c in candidates if any(w not in found[c.employee_id] for w in wanted)]
        if not inferring or not wanted:
            return found
        means = np.zeros((len(inferring), len(wanted)))
        precisions = np.zeros((len(inferring), len(wanted)))
        for i, candidate in enumerate(inferring):
            own = summaries.get(candidate.employee_id, {})
            for j, code in enumerate(wanted):
                if code in own:
                    means[i, j], precisions[i, j] = own[code]
        levels, spreads = skills.posterior_block(
            [c.job_profile_code for c in inferring],
            [years_in_role(c.in_role_since) for c in inferring],
            np.asarray([skills.competency_index[c] for c in wanted], dtype=np.int64),
            means,
            precisions,
        )
        confidences = confidence_of(spreads)
        for i, candidate in enumerate(inferring):
            estimates = found[candidate.employee_id]
            for j, code in enumerate(wanted):
                if code not in estimates:
                    estimates[code] = LevelEstimate(
                        round(float(levels[i, j]), 2),
                        round(float(confidences[i, j]), 3),
                        Basis.INFERRED,
                    )
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
