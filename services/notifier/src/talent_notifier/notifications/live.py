"""Live push of the in-app inbox: from the worker's transaction to the API's subscribers.

The worker writes in-app rows (`ledger.record`) and, in the same transaction, sends a
PostgreSQL notification on `INBOX_CHANNEL` per recipient (payload: the recipient's
employee id). PostgreSQL delivers it when the transaction commits, never for one rolled
back, and folds identical payloads of one transaction into one, so a batch of notices for
the same person wakes their subscription once.

Each API process holds one `InboxHub`: one listening connection (not one per client)
that wakes the subscriptions of the recipients named. A woken subscription reads its own
recipient's new in-app rows through the ordinary inbox query, so a notification carries
no data that a query would not show, and a notification that was missed (the listening
connection was lost and made again) is caught up by the next read: after a reconnect
every subscription reads once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Collection

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

INBOX_CHANNEL = "talent_notifier_inbox"


def announce(session: Session, recipient_ids: Collection[uuid.UUID]) -> None:
    """Tell the API processes, when `session`'s transaction commits, that these people
    have new in-app notifications."""
    if not recipient_ids:
        return
    session.execute(
        text("SELECT pg_notify(:channel, r) FROM unnest(CAST(:ids AS text[])) AS r"),
        {"channel": INBOX_CHANNEL, "ids": sorted(str(i) for i in recipient_ids)},
    )


class HubFull(Exception):
    """The process holds as many subscriptions as it may."""


class InboxHub:
    """One API process's listener: `subscribe(recipient)` gives an event that is set
    whenever the recipient may have new in-app notifications."""

    def __init__(
        self, database_url: str, *, capacity: int, reads: int = 8, retry_s: float = 1.0
    ) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self.capacity = capacity
        self._retry_s = retry_s
        self._waiters: dict[uuid.UUID, set[asyncio.Event]] = {}
        self._count = 0
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Woken subscriptions read a few at a time: a notification for many recipients
        # (or a reconnect, which wakes everyone) queues their reads here instead of
        # opening connections beyond the pool's.
        self.reads = asyncio.Semaphore(reads)

    @property
    def subscribers(self) -> int:
        """Subscriptions held now."""
        return self._count

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, recipient_id: uuid.UUID, *, ready_timeout_s: float = 10.0
    ) -> AsyncIterator[asyncio.Event]:
        """Register a subscription for the duration of the block. The block starts once
        the process is listening (so nothing committed after that is missed); raises
        `HubFull` when the process holds `capacity` subscriptions, TimeoutError when the
        database cannot be listened to in time."""
        if self._count >= self.capacity:
            raise HubFull
        wake = asyncio.Event()
        self._waiters.setdefault(recipient_id, set()).add(wake)
        self._count += 1
        try:
            self._start()
            await asyncio.wait_for(self._listening.wait(), ready_timeout_s)
            yield wake
        finally:
            self._count -= 1
            waiting = self._waiters.get(recipient_id)
            if waiting is not None:
                waiting.discard(wake)
                if not waiting:
                    del self._waiters[recipient_id]

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._listen(), name="notifier-inbox-listener")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._listening.clear()

    def _wake(self, payload: str) -> None:
        try:
            recipient_id = uuid.UUID(payload)
        except ValueError:
            log.warning("inbox notification with a payload that is not an id: %.60r", payload)
            return
        for wake in self._waiters.get(recipient_id, ()):
            wake.set()

    def _wake_all(self) -> None:
        for waiting in self._waiters.values():
            for wake in waiting:
                wake.set()

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._dsn, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {INBOX_CHANNEL}")
                    self._listening.set()
                    # Anything committed while no connection listened: every subscription
                    # reads once.
                    self._wake_all()
                    async for notice in connection.notifies():
                        self._wake(notice.payload)
            except (psycopg.Error, OSError) as exc:
                log.warning("inbox listener lost its connection (%s); reconnecting", exc)
            self._listening.clear()
            await asyncio.sleep(self._retry_s)
