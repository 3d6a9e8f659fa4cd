"""Republish outbox history, so consumers can rebuild projections after a broker loss."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, Table, select

from talent_platform.events.relay import Publisher
from talent_platform.settings import ServiceSettings


def replay_outbox(
    settings: ServiceSettings,
    *,
    engine: Engine,
    outbox: Table,
    since: dt.datetime | None = None,
    sent_since: dt.datetime | None = None,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Publish every outbox row created at or after `since` (all when None), in order,
    with its original `ce_id`. Unsent rows are left to the relay. With `sent_since`
    (the database's clock, like `sent_at`), only rows the relay sent from then on: what
    a broker started at that moment held. Returns the count."""
    publisher = Publisher(settings)
    sent = 0
    last_id = 0
    try:
        while True:
            stmt = (
                select(outbox)
                .where(outbox.c.id > last_id, outbox.c.sent_at.is_not(None))
                .order_by(outbox.c.id)
                .limit(batch_size)
            )
            if since is not None:
                stmt = stmt.where(outbox.c.created_at >= since)
            if sent_since is not None:
                stmt = stmt.where(outbox.c.sent_at >= sent_since)
            with engine.connect() as conn:
                rows = conn.execute(stmt).all()
            if not rows:
                return sent
            publisher.send(rows)
            sent += len(rows)
            last_id = rows[-1].id
            if progress is not None:
                progress(sent)
    finally:
        publisher.close()
