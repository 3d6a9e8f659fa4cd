"""Reads and read-marks of the delivery ledger for the API (async sessions)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import Select, func, select, update

from talent_notifier.notifications.models import Channel, Delivery
from talent_notifier.people.models import EmployeeProjection
from talent_platform.db.repository import Repository


class DeliveryRepository(Repository[Delivery]):
    model = Delivery
    entity_name = "notification"

    def inbox(self, recipient_id: uuid.UUID, *, unread_only: bool) -> Select[Delivery]:
        statement = select(Delivery).where(
            Delivery.recipient_id == recipient_id, Delivery.channel == Channel.IN_APP
        )
        if unread_only:
            statement = statement.where(Delivery.read_at.is_(None))
        return statement.order_by(Delivery.created_at.desc(), Delivery.id.desc())

    async def unread_count(self, recipient_id: uuid.UUID) -> int:
        found = await self.session.scalar(
            select(func.count()).where(
                Delivery.recipient_id == recipient_id,
                Delivery.channel == Channel.IN_APP,
                Delivery.read_at.is_(None),
            )
        )
        return int(found or 0)

    async def in_app(
        self, notification_id: uuid.UUID, *, recipient_id: uuid.UUID
    ) -> Delivery | None:
        return await self.one_or_none(
            select(Delivery).where(
                Delivery.id == notification_id,
                Delivery.recipient_id == recipient_id,
                Delivery.channel == Channel.IN_APP,
            )
        )

    async def mark_all_read(self, recipient_id: uuid.UUID, *, at: dt.datetime) -> int:
        result = await self.session.execute(
            update(Delivery)
            .where(
                Delivery.recipient_id == recipient_id,
                Delivery.channel == Channel.IN_APP,
                Delivery.read_at.is_(None),
            )
            .values(read_at=at, updated_at=at)
            .returning(Delivery.id)
        )
        return len(result.all())

    def ledger(
        self, *, status: str | None, kind: str | None, channel: str | None
    ) -> Select[Delivery]:
        statement = select(Delivery)
        if status is not None:
            statement = statement.where(Delivery.status == status)
        if kind is not None:
            statement = statement.where(Delivery.kind == kind)
        if channel is not None:
            statement = statement.where(Delivery.channel == channel)
        return statement.order_by(Delivery.created_at.desc(), Delivery.id.desc())

    async def names(self, employee_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not employee_ids:
            return {}
        rows = await self.session.execute(
            select(EmployeeProjection.employee_id, EmployeeProjection.name).where(
                EmployeeProjection.employee_id.in_(list(employee_ids))
            )
        )
        return {employee_id: name for employee_id, name in rows.all()}

    async def page(
        self, statement: Select[Delivery], *, offset: int, limit: int
    ) -> tuple[Sequence[Delivery], int]:
        return await self.paginate(statement, offset=offset, limit=limit)
