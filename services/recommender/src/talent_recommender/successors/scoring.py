"""Successor ranking for a key role as a pure function of plain data.

The GraphQL service and the offline evaluation feed it the same shapes (a role target and
a shortlist of candidates with their evidence), so what is evaluated is what is served.

Candidates come from the whole organisation. The score is led by the expected competency
fit against the role's job profile (every estimate counts with its doubt, see
`expected_fit`); calibrated performance, potential, role adjacency (job family and level)
and HR's readiness assessment of a slate member are secondary and can only reorder people
of similar fit. Age, gender, ethnicity or any other protected attribute is not a field of
`Candidate`, so it cannot be a feature.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from talent_recommender.recommendations.scoring import (
    NO_EVIDENCE_LEVEL,
    Basis,
    Gap,
    LevelEstimate,
    Requirement,
    compute_gaps,
    expected_reach,
    fmt,
    gap_reason,
)

# Weights of the score's parts (they sum to 1; the readiness part is left out, and the
# others rescaled, when HR has not assessed the candidate's readiness for this role).
# Fit leads: the secondary parts together move a score by at most 0.15, about what
# separates a fit of 80% from one of 95%.
FIT_WEIGHT = 0.8
PERFORMANCE_WEIGHT = 0.06
POTENTIAL_WEIGHT = 0.03
ADJACENCY_WEIGHT = 0.06
READINESS_WEIGHT = 0.05
# Neutral values for missing evidence: no rating or potential neither helps nor sinks.
NO_RATING = 0.4
NO_POTENTIAL = 0.4
POTENTIAL_VALUE = {"high": 1.0, "medium": 0.6, "low": 0.2}
READINESS_VALUE = {"ready_now": 1.0, "ready_1_2_years": 0.6, "ready_3_plus_years": 0.2}
# Role adjacency by levels below the role: in the same job family one level below is 1
# (key roles are mostly filled by promotion from the level below), a lateral move (0
# below) or two below 0.5; in another family a comparable level (0 or 1 below) 0.4;
# anything else 0.1. Unknown levels: 0.5 in the same family, 0.2 otherwise.
LATERAL_MOVE = 0.5
SAME_FAMILY = {1: 1.0, 0: LATERAL_MOVE, 2: 0.5}
OTHER_FAMILY = {0: 0.4, 1: 0.4}
FAR_MOVE = 0.1
UNKNOWN_LEVEL_SAME_FAMILY = 0.5
UNKNOWN_LEVEL = 0.2
SAME_FAMILY_TEXT = {
    1: "is one level below, in the same job family",
    0: "is a lateral move in the same job family",
    2: "is two levels below, in the same job family",
}
# Readiness estimate thresholds on fit (see estimate_readiness).
READY_NOW_FIT = 0.85
READY_SOON_FIT = 0.65
# How many strengths and gaps a suggestion names.
SHOWN = 3


class Readiness(StrEnum):
    READY_NOW = "ready_now"
    READY_1_2_YEARS = "ready_1_2_years"
    READY_3_PLUS_YEARS = "ready_3_plus_years"


READINESS_TEXT = {
    Readiness.READY_NOW: "ready now",
    Readiness.READY_1_2_YEARS: "ready in 1-2 years",
    Readiness.READY_3_PLUS_YEARS: "ready in 3+ years",
}


@dataclass(frozen=True)
class RoleTarget:
    key_role_id: uuid.UUID
    title: str
    job_profile_code: str | None
    job_family: str | None
    job_level: int | None
    org_unit_code: str | None
    incumbent_id: uuid.UUID | None
    requirements: Sequence[Requirement]


@dataclass(frozen=True)
class Candidate:
    employee_id: uuid.UUID
    org_unit_code: str | None
    job_profile_code: str | None
    job_title: str | None
    job_family: str | None
    job_level: int | None
    estimates: Mapping[str, LevelEstimate]
    """Estimates (evidence or inferred) of the role's required competencies."""
    ratings: Sequence[tuple[str, int]]
    """Calibrated overall ratings, most recent first: (cycle code, rating 1-5)."""
    potential: str | None
    """Latest potential assessment: low, medium or high."""
    assessed_readiness: Readiness | None
    """HR's readiness assessment for this very role, if the candidate is on its slate."""


@dataclass(frozen=True)
class SuccessorSuggestion:
    employee_id: uuid.UUID
    org_unit_code: str | None
    score: float
    readiness: Readiness
    fit: float
    strengths: tuple[str, ...]
    gaps: tuple[Gap, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class OrgUnitShare:
    org_unit_code: str | None
    suggestions: int
    share: float


def expected_fit(
    requirements: Sequence[Requirement], estimates: Mapping[str, LevelEstimate]
) -> float:
    """The importance-weighted share of the required levels a candidate is expected to
    reach, each estimate taken with its doubt (`expected_reach`): a thinly evidenced 5
    counts for less than a well-evidenced one. Missing estimates count as level 1."""
    required = sum(r.required_level * r.importance for r in requirements)
    if not required:
        return 0.0
    missing = LevelEstimate(NO_EVIDENCE_LEVEL, 1.0, Basis.NONE)
    reached = sum(
        r.importance * expected_reach(estimates.get(r.competency_code, missing), r.required_level)
        for r in requirements
    )
    return max(0.0, reached / required)


def adjacency(role: RoleTarget, candidate: Candidate) -> tuple[float, str | None]:
    """How natural a move into the role is, 0-1, with a reason when there is one."""
    same_family = role.job_family is not None and candidate.job_family == role.job_family
    if role.job_level is None or candidate.job_level is None:
        return (UNKNOWN_LEVEL_SAME_FAMILY, None) if same_family else (UNKNOWN_LEVEL, None)
    below = role.job_level - candidate.job_level
    value = adjacency_value(same_family=same_family, levels_below=below)
    title = candidate.job_title or candidate.job_profile_code or "current role"
    reason = None
    if same_family and below in SAME_FAMILY_TEXT:
        reason = f"{title} {SAME_FAMILY_TEXT[below]}"
    elif not same_family and below in OTHER_FAMILY:
        reason = f"{title} is at a comparable level in another job family"
    return value, reason


def adjacency_value(*, same_family: bool, levels_below: int) -> float:
    """The adjacency of a move from `levels_below` levels below the role (the shortlist
    query in successors/repository.py computes the same from these tables)."""
    table = SAME_FAMILY if same_family else OTHER_FAMILY
    return table.get(levels_below, FAR_MOVE)


def performance(ratings: Sequence[tuple[str, int]]) -> tuple[float, str | None]:
    recent = ratings[:2]
    if not recent:
        return NO_RATING, None
    value = (sum(r for _, r in recent) / len(recent) - 1) / 4
    cycle, rating = recent[0]
    return value, f"calibrated rating {rating} of 5 in {cycle}"


def estimate_readiness(
    role: RoleTarget, candidate: Candidate, fit: float, gaps: Sequence[Gap]
) -> Readiness:
    """HR's assessment for this role when there is one; otherwise from fit, the size of
    the largest gap and how many levels below the role the candidate is."""
    if candidate.assessed_readiness is not None:
        return candidate.assessed_readiness
    below = (
        role.job_level - candidate.job_level
        if role.job_level is not None and candidate.job_level is not None
        else 2
    )
    largest = max((g.gap for g in gaps), default=0.0)
    if fit >= READY_NOW_FIT and below <= 1 and largest < 2:
        return Readiness.READY_NOW
    if fit >= READY_SOON_FIT and below <= 2:
        return Readiness.READY_1_2_YEARS
    return Readiness.READY_3_PLUS_YEARS


def rank_successors(
    role: RoleTarget,
    candidates: Sequence[Candidate],
    *,
    names: Mapping[str, str],
    first: int,
) -> list[SuccessorSuggestion]:
    """The best `first` candidates for the role, best first; never the incumbent.

    score = FIT_WEIGHT * competency fit + PERFORMANCE_WEIGHT * recent calibrated ratings
          + POTENTIAL_WEIGHT * potential + ADJACENCY_WEIGHT * role adjacency
          + READINESS_WEIGHT * HR's readiness assessment for this role (when there is one;
            otherwise the other weights are rescaled to sum to 1).
    """
    scored: list[tuple[float, float, Candidate]] = []
    for candidate in candidates:
        if candidate.employee_id == role.incumbent_id:
            continue
        fit = expected_fit(role.requirements, candidate.estimates)
        rated, _ = performance(candidate.ratings)
        potential = POTENTIAL_VALUE.get(candidate.potential or "", NO_POTENTIAL)
        adjacent, _ = adjacency(role, candidate)
        total = (
            FIT_WEIGHT * fit
            + PERFORMANCE_WEIGHT * rated
            + POTENTIAL_WEIGHT * potential
            + ADJACENCY_WEIGHT * adjacent
        )
        if candidate.assessed_readiness is not None:
            total += READINESS_WEIGHT * READINESS_VALUE[candidate.assessed_readiness]
        else:
            total /= 1 - READINESS_WEIGHT
        scored.append((round(total, 4), fit, candidate))
    scored.sort(key=lambda entry: (-entry[0], str(entry[2].employee_id)))
    # Gaps, readiness and reasons only for those shown: the score needs none of them.
    return [
        _suggestion(role, candidate, score, fit, names) for score, fit, candidate in scored[:first]
    ]


def _suggestion(
    role: RoleTarget, candidate: Candidate, score: float, fit: float, names: Mapping[str, str]
) -> SuccessorSuggestion:
    gaps = compute_gaps(role.requirements, candidate.estimates, names)
    _, rating_reason = performance(candidate.ratings)
    _, adjacency_reason = adjacency(role, candidate)
    readiness = estimate_readiness(role, candidate, fit, gaps)
    met = [g for g in gaps if g.gap == 0]
    strengths = tuple(
        f"{g.competency_name} at {fmt(g.estimate)} (requires {g.required_level})"
        for g in sorted(met, key=lambda g: (-g.importance, g.competency_code))[:SHOWN]
    )
    open_gaps = tuple(g for g in gaps if g.gap > 0)[:SHOWN]
    reasons = [
        f"meets {len(met)} of {len(gaps)} requirements of {role.title} (competency fit {fit:.0%})"
        if gaps
        else f"{role.title} lists no competency requirements"
    ]
    carrying = sorted(met, key=lambda g: (-g.importance * g.required_level, g.competency_code))[
        :SHOWN
    ]
    if carrying:
        reasons.append(
            "fit carried by "
            + ", ".join(
                f"{g.competency_name} {fmt(g.estimate)}"
                + (" (inferred)" if g.basis is Basis.INFERRED else "")
                for g in carrying
            )
        )
    if adjacency_reason:
        reasons.append(adjacency_reason)
    elif candidate.job_title:
        reasons.append(f"currently {candidate.job_title}, outside the usual path")
    if rating_reason:
        reasons.append(rating_reason)
    if candidate.potential:
        reasons.append(f"{candidate.potential} potential")
    if candidate.assessed_readiness is not None:
        reasons.append(f"HR assessed {READINESS_TEXT[candidate.assessed_readiness]} for this role")
    else:
        reasons.append(f"estimated {READINESS_TEXT[readiness]}")
    reasons += [gap_reason(g, role.title) for g in open_gaps]
    return SuccessorSuggestion(
        employee_id=candidate.employee_id,
        org_unit_code=candidate.org_unit_code,
        score=score,
        readiness=readiness,
        fit=round(fit, 4),
        strengths=strengths,
        gaps=open_gaps,
        reasons=tuple(reasons),
    )


def org_unit_shares(suggestions: Sequence[SuccessorSuggestion]) -> list[OrgUnitShare]:
    """How many suggestions come from each org unit, largest share first."""
    counts = Counter(s.org_unit_code for s in suggestions)
    total = len(suggestions)
    return [
        OrgUnitShare(unit, n, round(n / total, 4))
        for unit, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    ]
