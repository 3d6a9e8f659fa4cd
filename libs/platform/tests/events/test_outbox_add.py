"""`Outbox.add`, one implementation for a worker's sync session and for async code through
`AsyncSession.run_sync`, below and above the COPY threshold."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from talent_platform.db import async_url
from talent_platform.events.outbox import COPY_THRESHOLD
from talent_platform.graphql.session import SerialisedSession

from .conftest import WidgetCreated, outbox, tables

SIZES = [1, COPY_THRESHOLD + 5]


def written(engine: Engine) -> list[tuple[str, bytes]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(tables.outbox.c.message_key, tables.outbox.c.payload).order_by(
                tables.outbox.c.id
            )
        ).all()
    return [(key, bytes(payload)) for key, payload in rows]


def widgets_named(n: int, prefix: str) -> list[WidgetCreated]:
    return [WidgetCreated(widget_id=f"{prefix}{i}", name=f"widget {i}") for i in range(n)]


@pytest.mark.parametrize("n", SIZES)
def test_a_sync_session_writes_every_event_in_order(engine: Engine, n: int) -> None:
    with Session(engine) as session, session.begin():
        outbox.add(session, *widgets_named(n, "s"))
    rows = written(engine)
    assert [key for key, _ in rows] == [f"s{i}" for i in range(n)]
    assert decode_name(rows[-1][1]) == f"widget {n - 1}"


@pytest.mark.parametrize("session_class", [AsyncSession, SerialisedSession])
@pytest.mark.parametrize("n", SIZES)
def test_async_code_writes_the_same_through_run_sync(
    engine: Engine, events_database: str, n: int, session_class: type[AsyncSession]
) -> None:
    async def write() -> None:
        async_engine = create_async_engine(async_url(events_database))
        async with session_class(async_engine) as session, session.begin():
            await session.run_sync(outbox.add, *widgets_named(n, "a"))
        await async_engine.dispose()

    asyncio.run(write())
    rows = written(engine)
    assert [key for key, _ in rows] == [f"a{i}" for i in range(n)]
    assert decode_name(rows[0][1]) == "widget 0"


def test_nothing_is_written_when_the_transaction_rolls_back(engine: Engine) -> None:
    with Session(engine) as session:
        session.begin()
        outbox.add(session, *widgets_named(COPY_THRESHOLD, "r"))
        session.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.outbox)).scalar_one() == 0


def decode_name(payload: bytes) -> str:
    return str(json.loads(payload)["name"])
