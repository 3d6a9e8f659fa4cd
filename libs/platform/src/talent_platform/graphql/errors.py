"""Typed mutation errors: members of every mutation's result union.

Defined identically (and shareable) in every subgraph, so the composed schema has one
`ValidationError`, `NotFound`, `Forbidden` and `Conflict`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from talent_platform import errors
from talent_platform.errors import bounded
from talent_platform.graphql.context import TalentContext

T = TypeVar("T")


@strawberry.interface(
    description="Something a mutation could not do; `code` is stable for clients."
)
class Error:
    message: str = strawberry.field(
        description="What went wrong, for people; may change between releases."
    )
    code: str = strawberry.field(
        description=(
            "Stable reason for programs: VALIDATION_FAILED, NOT_FOUND, FORBIDDEN or CONFLICT."
        )
    )


@strawberry.federation.type(
    shareable=True, description="Why one input field (or CSV row) is invalid."
)
class FieldError:
    field: str = strawberry.field(
        description="Input field path, e.g. `input.email`, or `row 12: email` for CSV imports."
    )
    message: str = strawberry.field(description="Why the value is invalid.")


@strawberry.federation.type(
    shareable=True, description="The input is invalid; nothing was written."
)
class ValidationError(Error):
    fields: list[FieldError] = strawberry.field(
        description="Every invalid field or CSV row, not only the first."
    )


@strawberry.federation.type(shareable=True, description="A referenced record does not exist.")
class NotFound(Error):
    entity: str = strawberry.field(description="What kind of record was looked up, e.g. `course`.")
    key: str = strawberry.field(description="The id or code that matched nothing (shortened).")


@strawberry.federation.type(shareable=True, description="The caller may not do this.")
class Forbidden(Error):
    pass


@strawberry.federation.type(shareable=True, description="The change conflicts with existing data.")
class Conflict(Error):
    pass


MutationError = ValidationError | NotFound | Forbidden | Conflict
ERROR_TYPES: list[type] = [ValidationError, NotFound, Forbidden, Conflict]


def to_graphql_error(exc: errors.DomainError) -> MutationError:
    if isinstance(exc, errors.ValidationFailed):
        return ValidationError(
            message=bounded(exc.message),
            code=exc.code,
            fields=[
                FieldError(field=bounded(e.field), message=bounded(e.message)) for e in exc.errors
            ],
        )
    if isinstance(exc, errors.NotFound):
        return NotFound(
            message=bounded(exc.message), code=exc.code, entity=exc.entity, key=bounded(exc.key)
        )
    if isinstance(exc, errors.Forbidden):
        return Forbidden(message=bounded(exc.message), code=exc.code)
    return Conflict(message=bounded(exc.message), code=exc.code)


async def run_mutation(
    context: TalentContext, action: Callable[[], Awaitable[T]], *, dry_run: bool = False
) -> T | MutationError:
    """Run a mutation in a savepoint: a domain error rolls back its writes and becomes
    a typed error member of the result union. A dry run rolls back whatever happened."""
    session = context.session
    outer = await session.begin_nested() if dry_run else None
    try:
        savepoint = await session.begin_nested()
        try:
            result = await action()
        except errors.DomainError as exc:
            await savepoint.rollback()
            return to_graphql_error(exc)
        await savepoint.commit()
        return result
    finally:
        if outer is not None and outer.is_active:
            await outer.rollback()
