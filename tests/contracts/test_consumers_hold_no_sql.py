"""Consumers register handlers and orchestrate; the statements they run live in the
domain's modules, shared with the requests that do the same (ADR 0007).

A consumer module (`consumers.py`, or a module of a `consumers/` package) may import
`Session` for its signatures, but builds no statement and executes none.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
CONSUMERS = sorted(
    path
    for pattern in ("services/*/src/**/consumers.py", "services/*/src/**/consumers/*.py")
    for path in ROOT.glob(pattern)
)
# Executing a statement or a query, on a session or a connection.
RUNS_SQL = {"execute", "scalar", "scalars", "get", "query", "merge", "add", "add_all", "delete"}
SESSION_TYPES = {"Session"}


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("sqlalchemy")
        ):
            names = {alias.name for alias in node.names}
            if not (node.module == "sqlalchemy.orm" and names <= SESSION_TYPES):
                found.append(f"line {node.lineno}: from {node.module} import {sorted(names)}")
        elif isinstance(node, ast.Import):
            found.extend(
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.startswith("sqlalchemy")
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS_SQL
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"session", "connection", "conn"}
        ):
            found.append(f"line {node.lineno}: {node.func.value.id}.{node.func.attr}(...)")
    return found


def test_the_consumer_modules_are_found() -> None:
    assert len(CONSUMERS) >= 10


@pytest.mark.parametrize("path", CONSUMERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_consumer_builds_and_runs_no_statement(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    found = sql_in(path)
    assert not found, f"{name} runs SQL itself:\n" + "\n".join(found)
