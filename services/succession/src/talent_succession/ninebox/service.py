"""9-box grids (confidential, each read audited). The caller's own placement is never
counted, so nobody learns their own box."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.auth import Principal
from talent_platform.errors import ErrorCollector
from talent_succession.audit.service import AuditLog, require_confidential
from talent_succession.dates import today
from talent_succession.key_roles.repository import KeyRoleRepository
from talent_succession.ninebox.repository import CellCount, Move, NineBoxRepository


class NineBoxService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.boxes = NineBoxRepository(session)
        self.audit = AuditLog(session, principal)

    async def _allowed(self, what: str, **details: object) -> None:
        await require_confidential(self.session, self.principal)
        await self.audit.record("ninebox.read", "ninebox", what, after=details)

    async def grid(
        self, *, as_of: dt.date | None = None, org_unit_code: str | None = None
    ) -> list[CellCount]:
        day = as_of or today()
        await self._allowed("grid", as_of=day, org_unit_code=org_unit_code)
        return await self.boxes.by_org_unit(
            day, org_unit_code=org_unit_code, grouped=False, exclude=self.principal.employee_id
        )

    async def by_org_unit(self, *, as_of: dt.date | None = None) -> list[CellCount]:
        day = as_of or today()
        await self._allowed("by_org_unit", as_of=day)
        return await self.boxes.by_org_unit(day, exclude=self.principal.employee_id)

    async def by_slate(
        self, *, as_of: dt.date | None = None, key_role_codes: Collection[str] | None = None
    ) -> list[CellCount]:
        day = as_of or today()
        await self._allowed("by_slate", as_of=day, key_role_codes=key_role_codes)
        ids: list[uuid.UUID] | None = None
        if key_role_codes is not None:
            roles = await KeyRoleRepository(self.session).by_codes(key_role_codes)
            ids = [r.id for r in roles.values()]
        return await self.boxes.by_slate(day, key_role_ids=ids, exclude=self.principal.employee_id)

    async def movement(
        self, start: dt.date, end: dt.date, *, org_unit_code: str | None = None
    ) -> list[Move]:
        errors = ErrorCollector()
        if end < start:
            errors.add("to", "must not be before `from`")
        errors.raise_if_any()
        await self._allowed("movement", start=start, end=end, org_unit_code=org_unit_code)
        return await self.boxes.movement(
            start, end, org_unit_code=org_unit_code, exclude=self.principal.employee_id
        )

    async def placements(
        self, employee_ids: Collection[uuid.UUID], *, as_of: dt.date
    ) -> dict[uuid.UUID, tuple[str, str]]:
        """Placements of employees whose visibility the caller checked."""
        return await self.boxes.placement_of(employee_ids, as_of)
