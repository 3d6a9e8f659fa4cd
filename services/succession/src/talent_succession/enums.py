"""GraphQL enums shared by the succession subgraph's types."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A three-step scale: criticality, risk and impact of loss, potential.")
class Level(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    LOW = strawberry.enum_value(
        "low", description="The lowest step (9-box performance: latest rating 1-2)."
    )
    MEDIUM = strawberry.enum_value(
        "medium", description="The middle step (9-box performance: latest rating 3)."
    )
    HIGH = strawberry.enum_value(
        "high",
        description="The highest step (9-box performance: latest rating 4-5; a key role of "
        "high criticality counts as critical).",
    )


@strawberry.enum(description="When a successor could step into the key role.")
class Readiness(Enum):
    _value_: str  # the plain value (strawberry.enum_value hides its type from mypy)
    READY_NOW = strawberry.enum_value("ready_now", description="Could take the role today.")
    READY_1_2_YEARS = strawberry.enum_value(
        "ready_1_2_years", description="Ready in one to two years."
    )
    READY_3_PLUS_YEARS = strawberry.enum_value(
        "ready_3_plus_years", description="Ready in three years or more."
    )


def level_or_none(value: str | None) -> Level | None:
    return None if value is None else Level(value)
