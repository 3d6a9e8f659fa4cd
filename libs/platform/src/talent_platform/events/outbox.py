"""Writing events: an outbox row in the same transaction as the state change.

Never publish from a request handler: the relay (relay.py) publishes committed rows.
A `pg_notify` in the same transaction wakes the relay the moment the transaction commits.
The row's headers keep the writer's trace context (`traceparent`), so the trace of the
mutation continues in the relay and the consumers.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, topic_for
from talent_platform.db.bulk import copy_into, unnest_insert, unnest_params
from talent_platform.events.envelope import Envelope
from talent_platform.observability.tracing import current_trace_headers

# Imports write thousands of events in one transaction: COPY is faster there (and holds
# less memory than one statement's arrays).
COPY_THRESHOLD = 200
OUTBOX_COLUMNS = (
    "event_id",
    "event_type",
    "topic",
    "message_key",
    "source",
    "subject",
    "event_time",
    "payload",
    "headers",
)


class Outbox:
    def __init__(self, table: Table, *, service: str) -> None:
        self.table = table
        self.service = service
        self.channel = f"talent_outbox_{service}"

    def row(
        self, payload: EventPayload, *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        envelope = Envelope.for_payload(payload, service=self.service)
        headers = {**current_trace_headers(), **(headers or {})}
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

    def add(self, session: Session, *payloads: EventPayload) -> None:
        """Write these events in the session's transaction: one statement, or COPY for an
        import's thousands, then wake the relay on commit.

        Written once for both callers (ADR 0007): a consumer or periodic job calls it with
        its session; async code with `await session.run_sync(outbox.add, *payloads)`."""
        if not payloads:
            return
        trace_headers = current_trace_headers()
        rows = [self.row(p, headers=trace_headers) for p in payloads]
        if len(rows) >= COPY_THRESHOLD:
            copy_into(session, self.table, rows)
        else:
            session.execute(
                unnest_insert(self.table, OUTBOX_COLUMNS), unnest_params(rows, OUTBOX_COLUMNS)
            )
        session.execute(select(func.pg_notify(self.channel, "")))
