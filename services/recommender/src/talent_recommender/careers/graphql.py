"""Career paths in the API: `JobProfile.nextMoves` (here) and `Employee.careerPaths`
(recommendations/graphql.py, next to the employee's other gap fields)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from talent_platform.graphql import TalentContext, checked_first
from talent_recommender.careers.repository import CareerRepository, Move, Step

Ctx = Info[TalentContext, None]

MAX_MOVES = 20
MIN_MOVERS = 3
"""A move shows only once this many people made it: fewer is an anecdote, and one or two
would point at the people who made it."""


@strawberry.type(description="A competency the next job profile asks more of.")
class ProfileStep:
    competency_code: str = strawberry.field(description="The competency's code.")
    competency_name: str = strawberry.field(description="The competency's name.")
    from_level: int = strawberry.field(
        description="Level the previous job profile requires, 0 when it does not require it."
    )
    to_level: int = strawberry.field(description="Level the next job profile requires, 1-5.")
    importance: int = strawberry.field(
        description="How much the next job profile weighs the competency, 1-5."
    )

    @classmethod
    def of(cls, step: Step) -> ProfileStep:
        return cls(
            competency_code=step.competency_code,
            competency_name=step.competency_name,
            from_level=step.from_level,
            to_level=step.to_level,
            importance=step.importance,
        )


@strawberry.federation.type(
    keys=["code"],
    description="A role definition (owned by the people service); the recommender adds "
    "the career moves people made from it.",
)
class JobProfile:
    code: str = strawberry.field(description="The job profile's code, as in people.")

    @classmethod
    def resolve_reference(cls, code: str) -> JobProfile:
        return cls(code=code)

    @strawberry.field(
        description=f"Where people went next from this job profile, from job history: the "
        f"most common moves first, each made by at least {MIN_MOVERS} people (fewer would "
        f"point at individuals). Any signed-in user."
    )
    async def next_moves(
        self,
        info: Ctx,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many moves, 0-{MAX_MOVES} (default 5); outside that "
                "BAD_USER_INPUT."
            ),
        ] = 5,
    ) -> list[CareerMove]:
        return [CareerMove.of(m) for m in await next_moves(info, self.code, first=first)]


@strawberry.type(description="A move people made from one job profile to the next.")
class CareerMove:
    job_profile: JobProfile = strawberry.field(description="The job profile they moved to.")
    title: str = strawberry.field(description="Its title.")
    count: int = strawberry.field(description="How many people made this move.")
    median_months: float = strawberry.field(
        description="Median months they had spent in the previous job profile before moving."
    )
    gaps: list[ProfileStep] = strawberry.field(
        description="The typical skill gaps the move closes: competencies the next job "
        "profile requires at a higher level than the previous one, most important first."
    )

    @classmethod
    def of(cls, move: Move) -> CareerMove:
        return cls(
            job_profile=JobProfile(code=move.job_profile_code),
            title=move.title,
            count=move.count,
            median_months=move.median_months,
            gaps=[ProfileStep.of(s) for s in move.steps],
        )


async def next_moves(info: Ctx, code: str, *, first: int) -> list[Move]:
    """Checked `first`, then the moves from `code` (the request's session runs one
    statement at a time, so sibling entities may ask together)."""
    checked_first(first, maximum=MAX_MOVES)
    return await CareerRepository(info.context.session).next_moves(
        code, first=first, min_movers=MIN_MOVERS
    )
