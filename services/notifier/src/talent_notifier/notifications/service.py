"""The in-app inbox and the ledger as people read them: a recipient reads and marks their
own notifications; the whole ledger (with delivery errors) is for admins."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from talent_notifier.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationKind,
)
from talent_notifier.notifications.repository import DeliveryRepository
from talent_platform.auth import Principal
from talent_platform.errors import Forbidden, NotFound

ONLY_RECIPIENT = "notifications are visible to their recipient only"
ADMINS_ONLY = "the delivery ledger is visible to admins only"


@dataclass(frozen=True)
class Page:
    rows: Sequence[Delivery]
    total: int
    names: dict[uuid.UUID, str]
    """Names of the employees the page's notifications are about."""


class NotificationService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.deliveries = DeliveryRepository(session)

    def _own(self, employee_id: uuid.UUID | None = None) -> uuid.UUID:
        me = self.principal.employee_id
        if me is None or (employee_id is not None and employee_id != me):
            raise Forbidden(ONLY_RECIPIENT)
        return me

    async def inbox(
        self, employee_id: uuid.UUID, *, unread_only: bool, offset: int, limit: int
    ) -> Page:
        me = self._own(employee_id)
        rows, total = await self.deliveries.page(
            self.deliveries.inbox(me, unread_only=unread_only), offset=offset, limit=limit
        )
        names = await self.deliveries.names({row.subject_employee_id for row in rows})
        return Page(rows=rows, total=total, names=names)

    async def unread_count(self, employee_id: uuid.UUID) -> int:
        return await self.deliveries.unread_count(self._own(employee_id))

    async def mark_read(self, notification_id: uuid.UUID) -> Delivery:
        """Mark one of the caller's notifications read (again: a no-op)."""
        me = self._own()
        found = await self.deliveries.in_app(notification_id, recipient_id=me)
        if found is None:
            raise NotFound("notification", notification_id)
        if found.read_at is None:
            now = dt.datetime.now(dt.UTC)
            await self.deliveries.update(found, {"read_at": now, "updated_at": now})
        return found

    async def mark_all_read(self) -> int:
        return await self.deliveries.mark_all_read(self._own(), at=dt.datetime.now(dt.UTC))

    async def unread(self) -> int:
        return await self.deliveries.unread_count(self._own())

    async def ledger(
        self,
        *,
        status: DeliveryStatus | None,
        kind: NotificationKind | None,
        channel: Channel | None,
        offset: int,
        limit: int,
    ) -> Page:
        if not self.principal.is_admin:
            raise Forbidden(ADMINS_ONLY)
        rows, total = await self.deliveries.page(
            self.deliveries.ledger(
                status=status.value if status else None,
                kind=kind.value if kind else None,
                channel=channel.value if channel else None,
            ),
            offset=offset,
            limit=limit,
        )
        names = await self.deliveries.names({row.subject_employee_id for row in rows})
        return Page(rows=rows, total=total, names=names)
