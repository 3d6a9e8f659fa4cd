"""`KeyRole.successorSuggestions` and `KeyRole.successorSuggestionOrgUnits`: the
recommender extends succession's KeyRole entity (hr_leader and admin only); and
`dismissSuccessorSuggestion`."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
import weakref
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.errors import FieldError, ValidationFailed
from talent_platform.graphql import (
    Conflict,
    Forbidden,
    NotFound,
    TalentContext,
    ValidationError,
    enum_value,
    run_mutation,
)
from talent_recommender.recommendations.graphql import Employee, SkillGap, locked
from talent_recommender.successors import scoring
from talent_recommender.successors.service import (
    MAX_SUGGESTIONS,
    ServedSuggestion,
    SuccessorReport,
    SuccessorService,
)

Ctx = Info[TalentContext, None]


@strawberry.enum(name="Readiness", description="When a successor could step into the role.")
class Readiness(Enum):
    """scoring.Readiness at the GraphQL boundary (as succession's `Readiness`, same values),
    with what each value means here."""

    READY_NOW = enum_value(
        scoring.Readiness.READY_NOW.value,
        description="Could take the role now. Estimated for a fit of at least 0.85, at most "
        "one level below the role and no gap of 2 levels or more.",
    )
    READY_1_2_YEARS = enum_value(
        scoring.Readiness.READY_1_2_YEARS.value,
        description="Ready in one to two years. Estimated for a fit of at least 0.65, at most "
        "two levels below the role.",
    )
    READY_3_PLUS_YEARS = enum_value(
        scoring.Readiness.READY_3_PLUS_YEARS.value,
        description="Ready in three years or more; the estimate for everyone else.",
    )


# One report per request, key role and size: both KeyRole fields read the same ranking.
_REPORTS: weakref.WeakKeyDictionary[
    TalentContext, dict[tuple[uuid.UUID, int], asyncio.Future[SuccessorReport]]
] = weakref.WeakKeyDictionary()


@strawberry.type(description="A suggested successor for a key role, with reasons.")
class SuccessorSuggestion:
    id: strawberry.ID = strawberry.field(
        description="Stable for this key role and employee: pass it to succession's "
        "`nominateSuccessor(input: {suggestionId})` to accept the suggestion, or to "
        "`dismissSuccessorSuggestion(input: {suggestionId, reason})` to dismiss it."
    )
    employee: Employee = strawberry.field(description="The suggested successor.")
    score: float = strawberry.field(description="0-1; suggestions are ranked by it.")
    readiness: Readiness = strawberry.field(
        description="HR's readiness assessment when the employee is on the slate, "
        "otherwise estimated from competency fit and level (see readinessAssessed)."
    )
    readiness_assessed: bool = strawberry.field(
        description="True when readiness is HR's assessment, false when estimated."
    )
    fit: float = strawberry.field(
        description="Expected importance-weighted share of the role's required levels met "
        "(0-1), every estimate (evidence or inferred) counted with its doubt, so below 1 even "
        "for someone estimated exactly at every requirement."
    )
    reasons: list[str] = strawberry.field(
        description="Why, as English sentences to show: fit, current role, rating, potential, "
        "readiness, then the largest gaps."
    )
    strengths: list[str] = strawberry.field(
        description="Up to 3 requirements met, most important first, e.g. `Budgeting at 4 "
        "(requires 3)`."
    )
    gaps: list[SkillGap] = strawberry.field(
        description="Up to 3 open gaps against the role, largest weighted gap first."
    )
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
            readiness=Readiness(s.suggestion.readiness.value),
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
    org_unit_code: str | None = strawberry.field(
        description="The org unit's code; null for suggested people without one."
    )
    suggestions: int = strawberry.field(description="How many of the suggestions listed.")
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
    id: strawberry.ID = strawberry.field(description="The key role's id (UUID), as in succession.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> KeyRole:
        return cls(id=id)

    @strawberry.field(
        description=f"Suggested successors, best first (1-{MAX_SUGGESTIONS}; default 10): "
        "active employees, never the incumbent, anyone HR removed from this slate or "
        "whose suggestion HR dismissed (unless on the slate now), or the caller, with "
        "fit, readiness, strengths, gaps and reasons. hr_leader and admin only "
        "(FORBIDDEN otherwise); every read is logged."
    )
    async def successor_suggestions(
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many, 1-{MAX_SUGGESTIONS} (default 10); outside that "
                "BAD_USER_INPUT."
            ),
        ] = 10,
    ) -> list[SuccessorSuggestion] | None:
        report = await _report(info, str(self.id), first)
        return [SuccessorSuggestion.from_served(s) for s in report.suggestions]

    @strawberry.field(
        description="The share of the first `first` suggestions coming from each org "
        "unit, largest first, so concentration is visible. Same access as "
        "successorSuggestions."
    )
    async def successor_suggestion_org_units(
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many suggestions to count, 1-{MAX_SUGGESTIONS} (default 10), "
                "as in successorSuggestions."
            ),
        ] = 10,
    ) -> list[SuggestionOrgUnitShare] | None:
        report = await _report(info, str(self.id), first)
        return [
            SuggestionOrgUnitShare(
                org_unit_code=u.org_unit_code, suggestions=u.suggestions, share=u.share
            )
            for u in report.org_units
        ]


@strawberry.input(description="A served successor suggestion to dismiss, and why.")
class DismissSuccessorSuggestionInput:
    suggestion_id: strawberry.ID = strawberry.field(
        description="`SuccessorSuggestion.id` as served."
    )
    reason: str = strawberry.field(description="Why (1-2000 characters); kept for audit.")


@strawberry.type(description="HR dismissed a successor suggestion.")
class SuccessorDismissal:
    id: strawberry.ID = strawberry.field(description="The dismissal's id (UUID).")
    suggestion_id: strawberry.ID = strawberry.field(
        description="The dismissed `SuccessorSuggestion.id`."
    )
    key_role: KeyRole = strawberry.field(description="The key role it was suggested for.")
    employee: Employee = strawberry.field(
        description="The employee no longer suggested for it (unless put on its slate)."
    )
    reason: str = strawberry.field(description="Why, as given (trimmed).")
    dismissed_by: str = strawberry.field(description="The token subject who dismissed it.")
    dismissed_at: dt.datetime = strawberry.field(description="When (ISO date-time with offset).")


@strawberry.type(description="The dismissal recorded.")
class DismissSuccessorSuggestionPayload:
    dismissal: SuccessorDismissal = strawberry.field(description="The new dismissal.")


DismissSuccessorSuggestionResult = Annotated[
    DismissSuccessorSuggestionPayload | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union(
        "DismissSuccessorSuggestionResult",
        description="The dismissal, or why none was recorded.",
    ),
]


@strawberry.type
class SuccessorMutation:
    @strawberry.mutation(
        description="Dismiss a successor suggestion (hr_leader and admin only): the "
        "employee is not suggested for that key role again, unless HR puts them on its "
        "slate. NOT_FOUND for an id that was never served as a successor suggestion, "
        "CONFLICT when it is already dismissed. Publishes recommendation.feedback (kind "
        "dismissed, with keyRoleId)."
    )
    async def dismiss_successor_suggestion(
        self,
        info: Ctx,
        input: Annotated[
            DismissSuccessorSuggestionInput,
            strawberry.argument(description="The suggestion and why."),
        ],
    ) -> DismissSuccessorSuggestionResult:
        service = SuccessorService(info.context.session, info.context.principal)

        async def action() -> DismissSuccessorSuggestionPayload:
            try:
                suggestion_id = uuid.UUID(str(input.suggestion_id))
            except ValueError:
                raise ValidationFailed(
                    [FieldError("input.suggestionId", "not a suggestion id")]
                ) from None
            dismissal = await service.dismiss(suggestion_id, reason=input.reason)
            return DismissSuccessorSuggestionPayload(
                dismissal=SuccessorDismissal(
                    id=strawberry.ID(str(dismissal.id)),
                    suggestion_id=strawberry.ID(str(dismissal.recommendation_id)),
                    key_role=KeyRole(id=strawberry.ID(str(dismissal.key_role_id))),
                    employee=Employee(id=strawberry.ID(str(dismissal.employee_id))),
                    reason=dismissal.reason,
                    dismissed_by=dismissal.dismissed_by,
                    dismissed_at=dismissal.created_at,
                )
            )

        return await run_mutation(info.context, action)
