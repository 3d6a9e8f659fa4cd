from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select

from talent_platform.db import Repository
from talent_succession.key_roles.models import KeyRole


class KeyRoleRepository(Repository[KeyRole]):
    model = KeyRole
    entity_name = "key role"

    async def by_code(self, code: str) -> KeyRole | None:
        return await self.one_or_none(select(KeyRole).where(KeyRole.code == code))

    async def by_codes(self, codes: Collection[str]) -> dict[str, KeyRole]:
        if not codes:
            return {}
        return {r.code: r for r in await self.list(select(KeyRole).where(KeyRole.code.in_(codes)))}

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, KeyRole]:
        if not ids:
            return {}
        return {r.id: r for r in await self.list(select(KeyRole).where(KeyRole.id.in_(ids)))}

    async def all_by_code(self) -> dict[str, KeyRole]:
        return {r.code: r for r in await self.list(select(KeyRole))}
