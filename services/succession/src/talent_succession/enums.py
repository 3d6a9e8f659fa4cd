"""GraphQL enums shared by the succession subgraph's types."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A three-step scale: criticality, risk and impact of loss, potential.")
class Level(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@strawberry.enum(description="When a successor could step into the key role.")
class Readiness(Enum):
    READY_NOW = "ready_now"
    READY_1_2_YEARS = "ready_1_2_years"
    READY_3_PLUS_YEARS = "ready_3_plus_years"


def level_or_none(value: str | None) -> Level | None:
    return None if value is None else Level(value)
