"""Descriptions of the paging arguments every list of this subgraph takes."""

from __future__ import annotations

from typing import Annotated

import strawberry

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
