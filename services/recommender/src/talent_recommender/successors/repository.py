"""The reads behind successor suggestions: the key role, a shortlist, and the evidence of
the shortlisted candidates.

The shortlist is drawn from every active employee of the organisation (any org unit, any
job family, any level), pre-scored on competency fit and role adjacency: each required
competency counts at the candidate's job profile's prior (from the latest model),
corrected where they have evidence by the stored estimate's difference from the
competency's typical level. Ratings, potential and HR's readiness are left to the exact
ranking: together they move a score by at most about 0.15, so the best SHORTLIST by this
pre-score, plus the slate, are ranked exactly in Python on their posteriors. Without
evidence, the pre-score is the job profile's: people with evidence on the role's
competencies are ranked in SQL, the others only in the profiles that can still reach
the list (`SuccessorRepository.shortlist`)."""

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


_REQUIRED = """
WITH req AS (
    SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:required_levels AS float8[]),
                         CAST(:importances AS float8[]), CAST(:typical_levels AS float8[]))
        AS r(competency_code, required_level, importance, typical_level)
)"""

# The best of the people with evidence on the role's competencies: their profile's score
# plus what their estimates add over the competency's typical level.
WITH_EVIDENCE_SQL = text(
    _REQUIRED
    + """, evidence AS (
    SELECT s.employee_id,
           sum(r.importance * (least(s.level, r.required_level)
               - least(r.typical_level, r.required_level))) AS gained
    FROM skill_estimate s
    JOIN req r ON r.competency_code = s.competency_code
    GROUP BY s.employee_id
)
SELECT e.employee_id, coalesce(g.score, :unknown_score) + :fit_per_level * f.gained AS score
FROM evidence f
JOIN employee e ON e.employee_id = f.employee_id
LEFT JOIN unnest(CAST(:group_codes AS text[]), CAST(:group_scores AS float8[]))
    AS g(code, score) ON g.code = e.job_profile_code
WHERE e.status = 'active' AND NOT (e.employee_id = ANY(:excluded))
ORDER BY score DESC, e.employee_id
LIMIT :limit
"""
)

# The first of the people without evidence on them in some job profiles (all of whom
# score their profile's score): by employee id, as the ranking breaks ties.
_WITHOUT_EVIDENCE = """
SELECT e.employee_id, coalesce(g.score, :unknown_score) AS score
FROM employee e
LEFT JOIN unnest(CAST(:group_codes AS text[]), CAST(:group_scores AS float8[]))
    AS g(code, score) ON g.code = e.job_profile_code
WHERE {groups}
  AND e.status = 'active' AND NOT (e.employee_id = ANY(:excluded))
  AND NOT EXISTS (SELECT 1 FROM skill_estimate s
                  WHERE s.employee_id = e.employee_id AND s.competency_code = ANY(:codes))
ORDER BY score DESC, e.employee_id
LIMIT :limit
"""
WITHOUT_EVIDENCE_SQL = text(_WITHOUT_EVIDENCE.format(groups="e.job_profile_code = ANY(:chosen)"))
WITHOUT_EVIDENCE_UNKNOWN_SQL = text(
    _WITHOUT_EVIDENCE.format(
        groups="(e.job_profile_code IS NULL OR NOT (e.job_profile_code = ANY(:group_codes)))"
    )
)


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
        """The best `limit` active employees by the pre-score (the module's docstring):
        FIT_WEIGHT x (expected reach of the requirements / required) + ADJACENCY_WEIGHT x
        adjacency, best first, ties by employee id. Everything but the evidence term is
        a property of the job profile, so each profile's score is worked out here; the
        people with evidence on the role's competencies are ranked in one statement,
        and the others only in the best-scoring profiles, as far down as they can still
        make the list, instead of scoring the whole organisation row by row."""
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
        required = float(sum(r.required_level * r.importance for r in requirements))
        fit_per_level = scoring.FIT_WEIGHT / required if required > 0 else 0.0
        family = profile.family if profile is not None else None
        role_level = profile.level if profile is not None and profile.level else 0

        def adjacency(job_family: str | None, level: int | None) -> float:
            if level is None:
                return scoring.UNKNOWN_LEVEL
            same = family is not None and job_family == family
            table = scoring.SAME_FAMILY if same else scoring.OTHER_FAMILY
            return table.get(role_level - level, scoring.FAR_MOVE)

        known = {
            code: (job_family, level)
            for code, job_family, level in (
                await self.session.execute(
                    select(JobProfile.code, JobProfile.family, JobProfile.level)
                )
            ).all()
        }
        groups = {
            code: fit_per_level * base.get(code, no_profile_reached)
            + scoring.ADJACENCY_WEIGHT * adjacency(*known.get(code, (None, None)))
            for code in {*known, *base}
        }
        unknown = fit_per_level * no_profile_reached + scoring.ADJACENCY_WEIGHT * adjacency(
            None, None
        )
        params = {
            "codes": codes,
            "required_levels": [float(r.required_level) for r in requirements],
            "importances": [float(r.importance) for r in requirements],
            "typical_levels": typical,
            "group_codes": list(groups),
            "group_scores": list(groups.values()),
            "unknown_score": unknown,
            "fit_per_level": fit_per_level,
            "excluded": list(excluded),
            "limit": limit,
        }
        best: list[tuple[float, uuid.UUID]] = [
            (float(score), employee_id)
            for employee_id, score in (await self.session.execute(WITH_EVIDENCE_SQL, params))
        ]
        # Then profile by profile, best first (people without a known profile are one
        # more group): a profile whose score is below the list's last cannot enter it.
        order: list[tuple[float, str | None]] = sorted(
            [(score, code) for code, score in groups.items()] + [(unknown, None)],
            key=lambda g: -g[0],
        )
        taken = 0
        chunk = 4
        while taken < len(order):
            best.sort(key=lambda entry: (-entry[0], entry[1]))
            del best[limit:]
            if len(best) == limit and order[taken][0] < best[-1][0]:
                break
            group = order[taken : taken + chunk]
            taken += len(group)
            # Every profile scoring the same as the chunk's last goes in with it.
            while taken < len(order) and order[taken][0] == group[-1][0]:
                group.append(order[taken])
                taken += 1
            chosen = [code for _, code in group if code is not None]
            statements = [(WITHOUT_EVIDENCE_SQL, {"chosen": chosen})] if chosen else []
            if len(chosen) < len(group):
                statements.append((WITHOUT_EVIDENCE_UNKNOWN_SQL, {}))
            for statement, extra in statements:
                rows = await self.session.execute(statement, {**params, **extra})
                best += [(float(score), employee_id) for employee_id, score in rows]
            chunk *= 2
        best.sort(key=lambda entry: (-entry[0], entry[1]))
        return [employee_id for _, employee_id in best[:limit]]

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
