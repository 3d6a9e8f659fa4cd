"""Gaps and course ranking as pure functions of plain data.

The GraphQL service and the offline evaluation feed them the same shapes, so what is
evaluated is what is served.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from talent_recommender.profiles.posterior import spread_of

# Below this confidence a gap is better checked by an assessment than trusted.
LOW_CONFIDENCE = 0.3
# A course teaching a gap competency more than this above the estimate is far too advanced.
MAX_STRETCH = 2.0
# Estimate of a required competency with no evidence and no model, and its spread.
NO_EVIDENCE_LEVEL = 1.0
NO_EVIDENCE_SPREAD = 2.0
# Ranking weights (see rank_courses).
GAP_WEIGHT = 0.8
FIT_WEIGHT = 0.15
PEER_WEIGHT = 0.30
# Courses that close no gap but peers on the same path completed fill the list, scored
# this fraction of their peer share.
PEER_ONLY_FACTOR = 1.0
# Score multiplier per dismissed course teaching one of the same competencies.
DISMISSAL_PENALTY = 0.7
# Score multiplier per open enrollment from an accepted recommendation teaching one of
# the same competencies: that gap is being addressed.
ACCEPTED_PENALTY = 0.5
# Score multiplier per already chosen course on the same main competency (diversity).
REPEAT_PENALTY = 0.6


class Basis(StrEnum):
    EVIDENCE = "evidence"
    INFERRED = "inferred"
    NONE = "none"


@dataclass(frozen=True)
class LevelEstimate:
    level: float
    confidence: float
    basis: Basis

    @property
    def sd(self) -> float:
        """The posterior standard deviation behind the confidence, which is
        P(|true level - level| <= 0.5) = erf(0.5 / (sd * sqrt 2))."""
        return min(NO_EVIDENCE_SPREAD, spread_of(self.confidence))


def expected_reach(estimate: LevelEstimate, required: float) -> float:
    """E[min(true level, required)] when the true level ~ Normal(level, sd): how much of
    a requirement a person is expected to meet, counting the doubt of a thin estimate."""
    sd = estimate.sd
    z = (estimate.level - required) / sd
    excess = sd * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi) + (
        estimate.level - required
    ) * 0.5 * math.erfc(-z / math.sqrt(2.0))
    return estimate.level - excess


@dataclass(frozen=True)
class Requirement:
    competency_code: str
    required_level: int
    importance: int


@dataclass(frozen=True)
class Gap:
    competency_code: str
    competency_name: str
    required_level: int
    importance: int
    estimate: float
    confidence: float
    basis: Basis
    gap: float
    weighted_gap: float

    @property
    def suggest_assessment(self) -> bool:
        return self.gap > 0 and self.confidence < LOW_CONFIDENCE


def fmt(value: float) -> str:
    """Levels for people: 2 not 2.0, 2.4 not 2.4137."""
    return f"{round(value, 1):g}"


def compute_gaps(
    requirements: Sequence[Requirement],
    estimates: Mapping[str, LevelEstimate],
    names: Mapping[str, str],
) -> list[Gap]:
    """Every requirement with its estimate and gap, largest weighted gap first."""
    gaps = []
    for r in requirements:
        found = estimates.get(r.competency_code) or LevelEstimate(
            NO_EVIDENCE_LEVEL, 0.0, Basis.NONE
        )
        gap = max(0.0, round(r.required_level - found.level, 2))
        gaps.append(
            Gap(
                competency_code=r.competency_code,
                competency_name=names.get(r.competency_code, r.competency_code),
                required_level=r.required_level,
                importance=r.importance,
                estimate=round(found.level, 2),
                confidence=round(found.confidence, 3),
                basis=found.basis,
                gap=gap,
                weighted_gap=round(gap * r.importance, 2),
            )
        )
    gaps.sort(key=lambda g: (-g.weighted_gap, -g.gap, g.competency_code))
    return gaps


def gap_reason(g: Gap, target_title: str) -> str:
    estimated = f"estimated {fmt(g.estimate)}"
    if g.basis is Basis.INFERRED:
        estimated += " (inferred, not verified)"
    elif g.basis is Basis.NONE:
        estimated = "no evidence yet"
    return (
        f"gap of {fmt(g.gap)} on {g.competency_name}: {estimated}, "
        f"{target_title} requires {g.required_level}"
    )


@dataclass(frozen=True)
class CandidateCourse:
    code: str
    title: str
    skills: Mapping[str, int]
    """Competency code -> level taught."""


@dataclass(frozen=True)
class RankedCourse:
    code: str
    title: str
    score: float
    reasons: tuple[str, ...]
    main_competency: str
    competencies: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class PeerContext:
    """Completions of each course by employees on the same path (job profile)."""

    title: str
    headcount: int
    completions: Mapping[str, int]


def rank_courses(
    gaps: Sequence[Gap],
    candidates: Sequence[CandidateCourse],
    *,
    target_title: str,
    peers: PeerContext,
    completed: set[str],
    dismissed: set[str],
    dismissed_competencies: Counter[str],
    first: int,
    enrolled: Collection[str] = frozenset(),
    addressed: Mapping[str, int] | None = None,
) -> list[RankedCourse]:
    """Courses that close gaps, best first, at most `first`; candidates closing no gap
    that peers on the same path completed compete on their peer share alone.

    score = (GAP_WEIGHT * (importance-weighted gap the course closes, saturating at 2)
             + FIT_WEIGHT * (level fit: 1 when the course is at most one level above the
                             estimate, lower as it stretches further))
            * (0.5 + 0.5 * confidence of the gaps it closes)
          + PEER_WEIGHT * (completions by peers on the same path, relative to the most
                           completed course there),
    times DISMISSAL_PENALTY per dismissed course on the same competencies and
    ACCEPTED_PENALTY per accepted recommendation still being followed (an open
    enrollment, `addressed`: competency -> count) on the same competencies, then a greedy
    pick with REPEAT_PENALTY per course already chosen for the same main competency so the
    list is not all one competency. Completed, dismissed, currently enrolled and
    far-too-advanced courses (more than MAX_STRETCH above the estimate on a gap
    competency) are left out.
    """
    open_gaps = {g.competency_code: g for g in gaps if g.gap > 0}
    addressed = addressed or {}
    max_popularity = max(peers.completions.values(), default=0)
    scored: list[tuple[float, RankedCourse]] = []
    for course in candidates:
        if course.code in completed or course.code in dismissed or course.code in enrolled:
            continue
        covered = [(open_gaps[c], level) for c, level in course.skills.items() if c in open_gaps]
        done = peers.completions.get(course.code, 0)
        peer_share = done / max_popularity if max_popularity else 0.0
        penalties = sum(dismissed_competencies[c] for c in course.skills)
        in_hand = sorted(c for c in course.skills if addressed.get(c))
        factor = DISMISSAL_PENALTY**penalties * ACCEPTED_PENALTY ** sum(
            addressed[c] for c in in_hand
        )
        in_hand_reasons = [
            "ranked lower: an accepted course already addresses "
            + (open_gaps[c].competency_name if c in open_gaps else c)
            for c in in_hand
        ]
        if not covered:
            if done:
                reasons = [f"completed by {done} of {peers.headcount} peers in {peers.title}"]
                if penalties:
                    reasons.append("ranked lower: similar to a course dismissed earlier")
                reasons += in_hand_reasons
                popular = RankedCourse(
                    code=course.code,
                    title=course.title,
                    score=PEER_WEIGHT * PEER_ONLY_FACTOR * peer_share,
                    reasons=tuple(reasons),
                    main_competency=next(iter(course.skills), ""),
                )
                scored.append((popular.score * factor, popular))
            continue
        if any(level > g.estimate + MAX_STRETCH for g, level in covered):
            continue
        closed = 0.0
        fit = 0.0
        trust = 0.0
        main: tuple[float, Gap] | None = None
        for g, level in covered:
            closes = max(0.0, min(level, g.required_level) - g.estimate)
            contribution = closes * g.importance / 5.0
            closed += contribution
            stretch = level - g.estimate
            fit = max(fit, 1.0 if 0 < stretch <= 1.0 else 0.6 if stretch > 1.0 else 0.2)
            trust = max(trust, g.confidence)
            if main is None or contribution > main[0]:
                main = (contribution, g)
        if closed <= 0 or main is None:
            continue
        score = (GAP_WEIGHT * min(1.0, closed / 2.0) + FIT_WEIGHT * fit) * (
            0.5 + 0.5 * trust
        ) + PEER_WEIGHT * peer_share
        score *= factor
        reasons = [gap_reason(g, target_title) for g, _ in covered if g.gap > 0]
        reasons += [
            f"teaches {g.competency_name} at level {level}"
            for g, level in sorted(covered, key=lambda x: -x[0].weighted_gap)
        ]
        if done:
            reasons.append(f"completed by {done} of {peers.headcount} peers in {peers.title}")
        if penalties:
            reasons.append("ranked lower: similar to a course dismissed earlier")
        reasons += in_hand_reasons
        if trust < LOW_CONFIDENCE:
            reasons.append("estimate uncertain: an assessment would confirm the gap")
        scored.append(
            (
                score,
                RankedCourse(
                    code=course.code,
                    title=course.title,
                    score=score,
                    reasons=tuple(reasons),
                    main_competency=main[1].competency_code,
                    competencies=tuple(c for c in course.skills if c in open_gaps),
                ),
            )
        )
    return diversify(scored, first=first)


def diversify(scored: list[tuple[float, RankedCourse]], *, first: int) -> list[RankedCourse]:
    remaining = sorted(scored, key=lambda x: (-x[0], x[1].code))
    chosen: list[RankedCourse] = []
    per_competency: Counter[str] = Counter()
    while remaining and len(chosen) < first:
        best_index = 0
        best_value = -1.0
        for i, (score, course) in enumerate(remaining):
            value = score * REPEAT_PENALTY ** per_competency[course.main_competency]
            if value > best_value:
                best_index, best_value = i, value
            if per_competency[course.main_competency] == 0:
                break  # sorted: nothing later beats the first unpenalised course
        _, course = remaining.pop(best_index)
        chosen.append(
            RankedCourse(
                code=course.code,
                title=course.title,
                score=round(best_value, 4),
                reasons=course.reasons,
                main_competency=course.main_competency,
                competencies=course.competencies,
            )
        )
        per_competency[course.main_competency] += 1
    return chosen
