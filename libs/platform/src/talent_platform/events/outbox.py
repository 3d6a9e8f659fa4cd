"""Writing events: an outbox row in the same transaction as the state change.

Never publish from a request handler: the relay (relay.py) publishes committed rows.
A `pg_notify` in the same transaction wakes the relay the moment the transaction commits.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Insert, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, topic_for
from talent_platform.events.envelope import Envelope


class Outbox:
    def __init__(self, table: Table, *, service: str) -> None:
        self.table = table
        self.service = service
        self.channel = f"talent_outbox_{service}"

    def row(self, payload: EventPayload, *, headers: dict[str, str] | None = None) -> dict[str, Any]:
        envelope = Envelope.for_payload(payload, service=self.service)
        return {
            "event_id": envelope.id,
            "event_type": envelope.type,
            "topic": topic_for(envelope.type),
            "message_key": payload.key(),
            "source": envelope.source,
            "subject": envelope.subject,
            "event_time": envelope.time,
            "payload": envelope.data,
            "headers": json.dumps(headers) if headers else None,
        }

    def _inserts(self, payloads: tuple[EventPayload, ...]) -> list[Insert]:
        rows = [self.row(p) for p in payloads]
        # 12 parameters a row: stay well under PostgreSQL's 65,535 bind parameters.
        return [self.table.insert().values(rows[i : i + 2000]) for i in range(0, len(rows), 2000)]

    async def add(self, session: AsyncSession, *payloads: EventPayload) -> None:
        if not payloads:
            return
        for statement in self._inserts(payloads):
            await session.execute(statement)
        await session.execute(select(func.pg_notify(self.channel, "")))

    def add_sync(self, session: Session, *payloads: EventPayload) -> None:
        if not payloads:
            return
        for statement in self._inserts(payloads):
            session.execute(statement)
        session.execute(select(func.pg_notify(self.channel, "")))
