"""Typed helpers every subgraph describes its schema with: the paging arguments every
list takes (`first`, `after`), and enum values with a description."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar, cast

import strawberry

from talent_platform.errors import FieldError, ValidationFailed

V = TypeVar("V")

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: 20 when omitted, at most 100 (GRAPHQL_MAX_PAGE_SIZE); "
        "a value outside that range is refused with BAD_USER_INPUT."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Cursor to continue after: the previous page's `pageInfo.endCursor`; "
        "omit for the first page."
    ),
]


def enum_value(value: V, description: str) -> V:
    """`strawberry.enum_value` typed as its value, so `Member.value` stays what it is to
    mypy (strawberry puts the value back when it processes the enum)."""
    return cast(V, strawberry.enum_value(value, description=description))


def parse_id(value: object, argument: str, what: str = "id") -> uuid.UUID:
    """An id argument as a UUID; anything else is BAD_USER_INPUT naming the argument."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed([FieldError(argument, f"{value!r} is not a valid {what}")]) from exc
