"""Descriptions of the arguments many succession queries share."""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: 20 when omitted, at most 100 (configurable per deployment); "
        "a larger or negative value is refused with BAD_USER_INPUT."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Cursor to continue after: the previous page's `pageInfo.endCursor`; "
        "omit for the first page."
    ),
]
