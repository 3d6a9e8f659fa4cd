"""Per-request access checks for GraphQL resolvers (one grant lookup per request)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from talent_platform.graphql import TalentContext
from talent_succession.audit.service import can_see_confidential

Ctx = Info[TalentContext, None]


async def _access(info: Ctx, keys: Sequence[bool]) -> list[bool]:
    allowed = await can_see_confidential(info.context.session, info.context.principal)
    return [allowed for _ in keys]


async def sees_confidential(info: Ctx) -> bool:
    loader: DataLoader[bool, bool] = info.context.loader(
        "succession.access", lambda keys: _access(info, keys)
    )
    return bool(await loader.load(True))


async def sees_employee(info: Ctx, employee_id: uuid.UUID | None) -> bool:
    """May the caller see this employee's succession data? Never their own."""
    if employee_id is None or employee_id == info.context.principal.employee_id:
        return False
    return await sees_confidential(info)
