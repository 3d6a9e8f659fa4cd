from __future__ import annotations

from pathlib import Path

from graphql import ObjectTypeDefinitionNode, parse

from talent_performance.schema import schema

SDL = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_the_checked_in_sdl_is_what_the_service_serves() -> None:
    # Regenerate with: make schema
    assert SDL.read_text() == schema.as_str() + "\n"


def test_performance_adds_nothing_to_peoples_employee() -> None:
    types = {
        d.name.value: d
        for d in parse(schema.as_str()).definitions
        if isinstance(d, ObjectTypeDefinitionNode)
    }

    employee = types["Employee"]

    assert [f.name.value for f in employee.fields or ()] == ["id"]
    assert [d.name.value for d in employee.directives or ()] == ["key"]
