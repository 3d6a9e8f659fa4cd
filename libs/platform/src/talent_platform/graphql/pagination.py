"""Relay-style connections with a maximum page size.

Cursors are opaque (base64 of the row's position in the ordered result); clients
must treat them as strings and pass `after` back unchanged.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from talent_platform.errors import FieldError, ValidationFailed

T = TypeVar("T")
M = TypeVar("M")

DEFAULT_PAGE_SIZE = 20


@strawberry.federation.type(shareable=True, description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when another page follows: pass `endCursor` as `after` to get it."
    )
    has_previous_page: bool = strawberry.field(
        description="True when this page does not start at the beginning of the list."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first item of this page; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item of this page; null on an empty page."
    )


@strawberry.type(description="One item of a list and the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Opaque position of this item; pass it as `after` to continue from here."
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list: items, paging information and the total count.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The items of this page with their cursors."
    )
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(
        description="How many items the whole list has with the same filters."
    )

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, value = text.partition(":")
        if kind != "pos":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed([FieldError("after", "is not a cursor from this list")]) from exc


@dataclass(frozen=True)
class PageRequest:
    offset: int
    limit: int


def checked_first(first: int, *, maximum: int, minimum: int = 0) -> int:
    """The one rule for a `first` argument, on connections and plain lists alike: outside
    `minimum`..`maximum` it is refused (BAD_USER_INPUT naming `first`), never clamped or
    answered with an empty list."""
    if first > maximum:
        raise ValidationFailed([FieldError("first", f"must be at most {maximum}")])
    if first < minimum:
        below = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        raise ValidationFailed([FieldError("first", below)])
    return first


def page_request(first: int | None, after: str | None, *, max_page_size: int) -> PageRequest:
    size = checked_first(
        DEFAULT_PAGE_SIZE if first is None else first, maximum=max_page_size, minimum=0
    )
    offset = decode_cursor(after) + 1 if after else 0
    return PageRequest(offset=offset, limit=size)


def connection(
    rows: Sequence[M], *, total: int, page: PageRequest, to_node: Callable[[M], T]
) -> Connection[T]:
    edges = [
        Edge(cursor=encode_cursor(page.offset + i), node=to_node(row)) for i, row in enumerate(rows)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.offset + len(rows) < total,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
