"""A service's consumer lag, recorded in its own database so that its API can report it.

An API never talks to the broker (its readiness depends on its database only), yet it
may have to say whether its service has applied everything published to it. The worker
computes the lag per consumed partition as the metrics do (ADR 0004: published end from
the writers' recorded positions, applied position from the consumer) and stores that
snapshot in the service's `consumer_lag` table after a poll, at most every
`consumer_lag_record_interval_s`; the API and the worker's own loops read it back.

A snapshot observed more than `consumer_lag_stale_after_s` ago (the worker is stopped,
or cannot reach the broker) says nothing about now: it is never "caught up". Times are
the database's, so the clocks of the worker's and the API's hosts do not matter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Double,
    Engine,
    Integer,
    MetaData,
    Row,
    Select,
    String,
    Table,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from talent_platform.observability.metrics import consumer_lag

if TYPE_CHECKING:
    from talent_platform.events.consumer import EventConsumer
    from talent_platform.events.positions import OffsetReader

log = logging.getLogger(__name__)


def consumer_lag_table(metadata: MetaData) -> Table:
    """The table a worker records its lag snapshot in, declared on the service's
    MetaData (its migration creates it). One row per consumed partition."""
    return Table(
        "consumer_lag",
        metadata,
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True),
        Column("published_end", BigInteger, nullable=False),
        Column("applied_position", BigInteger, nullable=False),
        Column("observed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@dataclass(frozen=True)
class LagSnapshot:
    """The last recorded lag: records published and not yet applied, and how old that
    observation is (None when nothing was ever recorded)."""

    pending: int
    age_s: float | None
    stale_after_s: float

    @property
    def fresh(self) -> bool:
        return self.age_s is not None and self.age_s <= self.stale_after_s

    @property
    def caught_up(self) -> bool:
        """Nothing pending, observed recently enough to still be true."""
        return self.fresh and self.pending == 0


def _snapshot_query(table: Table) -> Select[int, float | None]:
    return select(
        func.coalesce(
            func.sum(func.greatest(table.c.published_end - table.c.applied_position, 0)), 0
        ).cast(BigInteger),
        func.extract("epoch", func.now() - func.min(table.c.observed_at)).cast(Double),
    )


def _snapshot(row: Row[int, float | None], stale_after_s: float) -> LagSnapshot:
    pending, age = row
    return LagSnapshot(
        pending=int(pending),
        age_s=None if age is None else max(0.0, float(age)),
        stale_after_s=stale_after_s,
    )


def read_lag_snapshot(session: Session, table: Table, *, stale_after_s: float) -> LagSnapshot:
    return _snapshot(session.execute(_snapshot_query(table)).one(), stale_after_s)


async def read_lag_snapshot_async(
    session: AsyncSession, table: Table, *, stale_after_s: float
) -> LagSnapshot:
    return _snapshot((await session.execute(_snapshot_query(table))).one(), stale_after_s)


class LagRecorder:
    """Writes the consumer's lag snapshot; `record()` runs on the consumer's thread after
    each poll and does nothing until `interval_s` has passed since the last snapshot.
    Never raises: a missing snapshot turns stale, which readers already handle."""

    def __init__(
        self,
        *,
        engine: Engine,
        table: Table,
        consumer: EventConsumer,
        reader: OffsetReader,
        topics: Sequence[str],
        interval_s: float,
    ) -> None:
        self.engine = engine
        self.table = table
        self.consumer = consumer
        self.reader = reader
        self.topics = list(topics)
        self.interval_s = interval_s
        self._last = float("-inf")

    def record(self) -> None:
        now = time.monotonic()
        if now - self._last < self.interval_s:
            return
        self._last = now
        try:
            lags = consumer_lag(self.consumer, self.reader, self.topics)
            with self.engine.begin() as connection:
                if lags:
                    statement = insert(self.table)
                    connection.execute(
                        statement.on_conflict_do_update(
                            index_elements=[self.table.c.topic, self.table.c.partition],
                            set_={
                                "published_end": statement.excluded.published_end,
                                "applied_position": statement.excluded.applied_position,
                                "observed_at": func.now(),
                            },
                        ),
                        [
                            {
                                "topic": lag.topic,
                                "partition": lag.partition,
                                "published_end": lag.end,
                                "applied_position": lag.position,
                            }
                            for lag in lags
                        ],
                    )
                # Partitions that are gone (a topic recreated with fewer of them).
                connection.execute(delete(self.table).where(self.table.c.observed_at < func.now()))
        except Exception:
            log.warning("recording the consumer lag failed", exc_info=True)
