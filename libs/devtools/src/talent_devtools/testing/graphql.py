"""Running operations through a subgraph's real schema in tests."""

from __future__ import annotations

from typing import Any

import strawberry

ErrorAt = tuple[tuple[str | int, ...], str]
"""An error's path and `extensions.code`."""


async def execute_refusable(
    schema: strawberry.Schema,
    context: Any,
    query: str,
    variables: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[ErrorAt]]:
    """Run an operation that may be refused in places: its data and each error's path and
    code (the API's rule: a refused field answers null with a FORBIDDEN entry at its
    path, and the rest of the answer keeps its data)."""
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.data is not None, result.errors
    return result.data, [
        (tuple(e.path or ()), (e.extensions or {}).get("code", "")) for e in result.errors or ()
    ]
