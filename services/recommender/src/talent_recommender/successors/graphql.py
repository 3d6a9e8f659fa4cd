"""`KeyRole.successorSuggestions` and `KeyRole.successorSuggestionOrgUnits`: the
recommender extends succession's KeyRole entity (hr_leader and admin only)."""

from __future__ import annotations

import asyncio
import uuid
import weakref

import strawberry
from strawberry.types import Info

from talent_platform.errors import FieldError, ValidationFailed
from talent_platform.graphql import TalentContext
from talent_recommender.recommendations.graphql import Employee, SkillGap, locked
from talent_recommender.successors import scoring
from talent_recommender.successors.service import (
    MAX_SUGGESTIONS,
    ServedSuggestion,
    SuccessorReport,
    SuccessorService,
)

Ctx = Info[TalentContext, None]

# Registered on the scoring enum itself (as succession's `Readiness`, same values).
strawberry.enum(
    scoring.Readiness,
    name="Readiness",
    description="When a successor could step into the role.",
)

# One report per request, key role and size: both KeyRole fields read the same ranking.
_REPORTS: weakref.WeakKeyDictionary[
    TalentContext, dict[tuple[uuid.UUID, int], asyncio.Future[SuccessorReport]]
] = weakref.WeakKeyDictionary()


@strawberry.type(description="A suggested successor for a key role, with reasons.")
class SuccessorSuggestion:
    id: strawberry.ID = strawberry.field(
        description="Stable for this key role and employee: pass it to succession's "
        "`nominateSuccessor(input: {suggestionId})` to accept the suggestion."
    )
    employee: Employee
    score: float = strawberry.field(description="0-1; suggestions are ranked by it.")
    readiness: scoring.Readiness = strawberry.field(
        description="HR's readiness assessment when the employee is on the slate, "
        "otherwise estimated from competency fit and level (see readinessAssessed)."
    )
    readiness_assessed: bool = strawberry.field(
        description="True when readiness is HR's assessment, false when estimated."
    )
    fit: float = strawberry.field(
        description="Importance-weighted share of the role's required levels met (0-1), "
        "on evidence only (assessments, completions, roles; never inferred levels)."
    )
    reasons: list[str]
    strengths: list[str] = strawberry.field(description="Requirements met, most important first.")
    gaps: list[SkillGap] = strawberry.field(description="Largest open gaps against the role.")
    slate_rank: int | None = strawberry.field(
        description="The employee's rank on the role's current slate; null if not on it."
    )
    accepted: bool = strawberry.field(
        description="Succession nominated the employee with this suggestion's id."
    )

    @classmethod
    def from_served(cls, s: ServedSuggestion) -> SuccessorSuggestion:
        return cls(
            id=strawberry.ID(str(s.id)),
            employee=Employee(id=strawberry.ID(str(s.suggestion.employee_id))),
            score=s.suggestion.score,
            readiness=s.suggestion.readiness,
            readiness_assessed=s.readiness_assessed,
            fit=s.suggestion.fit,
            reasons=list(s.suggestion.reasons),
            strengths=list(s.suggestion.strengths),
            gaps=[SkillGap.from_gap(g) for g in s.suggestion.gaps],
            slate_rank=s.slate.rank if s.slate is not None else None,
            accepted=s.accepted,
        )


@strawberry.type(description="How many of the suggestions come from one org unit.")
class SuggestionOrgUnitShare:
    org_unit_code: str | None
    suggestions: int
    share: float = strawberry.field(description="0-1 of the suggestions listed.")


async def _report(info: Ctx, key_role_id: str, first: int) -> SuccessorReport:
    try:
        role_id = uuid.UUID(key_role_id)
    except ValueError:
        raise ValidationFailed([FieldError("id", "not a key role id")]) from None
    reports = _REPORTS.setdefault(info.context, {})
    key = (role_id, first)
    if key not in reports:
        service = SuccessorService(info.context.session, info.context.principal)
        reports[key] = asyncio.ensure_future(
            locked(info, lambda: service.suggest(role_id, first=first))
        )
    return await reports[key]


@strawberry.federation.type(keys=["id"], description="A key role (owned by succession).")
class KeyRole:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> KeyRole:
        return cls(id=id)

    @strawberry.field(
        description=f"Suggested successors, best first (1-{MAX_SUGGESTIONS}; default 10): "
        "active employees, never the incumbent, anyone HR removed from this slate or the "
        "caller, with fit, readiness, strengths, gaps and reasons. hr_leader and admin "
        "only (FORBIDDEN otherwise); every read is logged."
    )
    async def successor_suggestions(self, info: Ctx, first: int = 10) -> list[SuccessorSuggestion]:
        report = await _report(info, str(self.id), first)
        return [SuccessorSuggestion.from_served(s) for s in report.suggestions]

    @strawberry.field(
        description="The share of the first `first` suggestions coming from each org "
        "unit, largest first, so concentration is visible. Same access as "
        "successorSuggestions."
    )
    async def successor_suggestion_org_units(
        self, info: Ctx, first: int = 10
    ) -> list[SuggestionOrgUnitShare]:
        report = await _report(info, str(self.id), first)
        return [
            SuggestionOrgUnitShare(
                org_unit_code=u.org_unit_code, suggestions=u.suggestions, share=u.share
            )
            for u in report.org_units
        ]
