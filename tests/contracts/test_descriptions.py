"""Every public type, field, argument and enum value of every subgraph is described, and
status-like fields are enums: the SDL is the front-end developer's reference.

Federation's own plumbing (`_service`, `_entities`, `_Any`, `_Entity`, `_Service`) and the
root operation types themselves are exempt; their fields are not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import parse
from graphql.language import (
    DefinitionNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    TypeNode,
    UnionTypeDefinitionNode,
)

ROOT = Path(__file__).parents[2]
GATEWAY = ROOT / "gateway"
SUBGRAPHS: dict[str, dict[str, str]] = json.loads((GATEWAY / "subgraphs.json").read_text())

FEDERATION = {"_Any", "_Entity", "_Service", "_service", "_entities"}
ROOT_TYPES = {"Query", "Mutation", "Subscription"}
# Field and argument names that hold one of a fixed set of values.
STATUS_LIKE = {"status", "kind", "state", "phase", "source", "role", "tier", "acceptedVia"}

Described = (
    ObjectTypeDefinitionNode
    | InterfaceTypeDefinitionNode
    | InputObjectTypeDefinitionNode
    | EnumTypeDefinitionNode
    | UnionTypeDefinitionNode
    | ScalarTypeDefinitionNode
)


def _sdl(name: str) -> str:
    return (GATEWAY / SUBGRAPHS[name]["schema"]).resolve().read_text()


def _definitions(name: str) -> Iterator[Described]:
    for definition in parse(_sdl(name)).definitions:
        if isinstance(definition, Described) and definition.name.value not in FEDERATION:
            yield definition


def _undescribed(definition: DefinitionNode) -> Iterator[str]:
    assert isinstance(definition, Described)
    type_name = definition.name.value
    if type_name not in ROOT_TYPES and not definition.description:
        yield type_name
    if isinstance(definition, EnumTypeDefinitionNode):
        for value in definition.values or ():
            if not value.description:
                yield f"{type_name}.{value.name.value}"
        return
    fields: tuple[FieldDefinitionNode | InputValueDefinitionNode, ...] = tuple(
        getattr(definition, "fields", None) or ()
    )
    for item in fields:
        if item.name.value in FEDERATION:
            continue
        path = f"{type_name}.{item.name.value}"
        if not item.description:
            yield path
        for argument in getattr(item, "arguments", None) or ():
            if not argument.description:
                yield f"{path}({argument.name.value}:)"


def _named(type_node: TypeNode) -> str:
    while not isinstance(type_node, NamedTypeNode):
        assert isinstance(type_node, NonNullTypeNode) or hasattr(type_node, "type")
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


def _status_strings(definition: DefinitionNode) -> Iterator[str]:
    assert isinstance(definition, Described)
    for item in getattr(definition, "fields", None) or ():
        path = f"{definition.name.value}.{item.name.value}"
        if item.name.value in STATUS_LIKE and _named(item.type) == "String":
            yield path
        for argument in getattr(item, "arguments", None) or ():
            if argument.name.value in STATUS_LIKE and _named(argument.type) == "String":
                yield f"{path}({argument.name.value}:)"


@pytest.mark.parametrize("name", sorted(SUBGRAPHS))
def test_every_public_type_field_and_argument_is_described(name: str) -> None:
    missing = sorted({path for d in _definitions(name) for path in _undescribed(d)})
    assert not missing, f"{name}: {len(missing)} without a description: {', '.join(missing)}"


@pytest.mark.parametrize("name", sorted(SUBGRAPHS))
def test_status_like_fields_are_enums(name: str) -> None:
    strings = sorted({path for d in _definitions(name) for path in _status_strings(d)})
    assert not strings, f"{name}: status-like fields typed String: {', '.join(strings)}"


def test_the_checks_see_a_missing_description() -> None:
    sdl = 'type Query { a: Int }\n"""D."""\ntype T { status: String! }'
    (definition,) = [d for d in parse(sdl).definitions if d.name.value == "T"]  # type: ignore[attr-defined]
    assert list(_undescribed(definition)) == ["T.status"]
    assert list(_status_strings(definition)) == ["T.status"]


def _refusable_non_null(definition: DefinitionNode) -> Iterator[str]:
    """Fields documented as answering FORBIDDEN that are non-null: a refusal there would
    null the parent (the whole `data` for a root field), wiping the caller's other data.
    The error types' `code` field names the code and is exempt, and so is a
    subscription: a refused one ends its own stream and has no sibling data to wipe."""
    assert isinstance(definition, Described)
    if definition.name.value == "Subscription":
        return
    for item in getattr(definition, "fields", None) or ():
        description = item.description.value if item.description else ""
        if (
            "FORBIDDEN" in description
            and isinstance(item.type, NonNullTypeNode)
            and item.name.value != "code"
        ):
            yield f"{definition.name.value}.{item.name.value}"


@pytest.mark.parametrize("name", sorted(SUBGRAPHS))
def test_fields_that_can_be_refused_are_nullable(name: str) -> None:
    """docs/api.md, one rule for reads: a refused field answers null with FORBIDDEN at its
    path, and the rest of the answer keeps its data."""
    found = sorted({path for d in _definitions(name) for path in _refusable_non_null(d)})
    assert not found, f"{name}: refusable but non-null: {', '.join(found)}"


def test_the_nullability_check_sees_a_refusable_non_null_field() -> None:
    sdl = '"""D."""\ntype T { """FORBIDDEN for others."""\nlog: [Int!]! }'
    (definition,) = parse(sdl).definitions
    assert list(_refusable_non_null(definition)) == ["T.log"]
