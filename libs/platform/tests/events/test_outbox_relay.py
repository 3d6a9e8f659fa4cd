"""Outbox and relay against a real PostgreSQL and a real Tansu broker."""

from __future__ import annotations

import json
import threading
import uuid

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from talent_devtools.broker import TansuBroker
from talent_devtools.testing import wait_for
from talent_devtools.testing.topics import read_topic
from talent_platform.events import OutboxRelay, replay_outbox
from talent_platform.events.envelope import decode
from talent_platform.settings import ServiceSettings

from .conftest import WidgetCreated, outbox, tables, widgets


def _create(engine: Engine, *names: str) -> list[str]:
    ids = []
    with Session(engine) as session, session.begin():
        for name in names:
            widget_id = f"w-{uuid.uuid4().hex[:6]}"
            session.execute(widgets.insert().values(id=widget_id))
            outbox.add(session, WidgetCreated(widget_id=widget_id, name=name))
            ids.append(widget_id)
    return ids


def _topic(settings: ServiceSettings) -> str:
    return f"{settings.topic_prefix}talent.platformtest.v1"


def test_relay_publishes_committed_rows_in_order_and_marks_them_sent(
    engine: Engine, settings: ServiceSettings
) -> None:
    ids = _create(engine, "a", "b", "c")
    # Three more facts about one aggregate, in three transactions: they share a key and so
    # a partition, where their order must be the commit order.
    for name in ("first", "second", "third"):
        with Session(engine) as session, session.begin():
            outbox.add(session, WidgetCreated(widget_id="same", name=name))
    relay = OutboxRelay(settings, engine=engine, outbox=tables.outbox)

    assert relay.publish_pending() == 6
    assert relay.publish_pending() == 0

    records = read_topic(
        settings.kafka_bootstrap_servers, _topic(settings), until=lambda r: len(r) >= 6
    )
    assert sorted(r.key.decode() for r in records if r.key != b"same") == sorted(ids)
    same = [decode(r.value, list(r.headers)) for r in records if r.key == b"same"]
    assert [json.loads(e.data)["name"] for e in same] == ["first", "second", "third"]
    assert same[0].type == "talent.platformtest.widget.created.v1"
    assert same[0].subject == "same"
    with engine.connect() as conn:
        assert (
            conn.execute(select(tables.outbox.c.sent_at.is_not(None))).scalars().all() == [True] * 6
        )


def test_rows_of_an_open_transaction_hold_back_later_commits(
    engine: Engine, settings: ServiceSettings
) -> None:
    relay = OutboxRelay(settings, engine=engine, outbox=tables.outbox)
    slow = Session(engine)
    slow.begin()
    slow.execute(widgets.insert().values(id="slow"))
    outbox.add(slow, WidgetCreated(widget_id="slow", name="first written"))
    try:
        _create(engine, "committed later")
        # The later commit may not overtake the open transaction that wrote before it.
        assert relay.pending() == []
    finally:
        slow.commit()
        slow.close()
    pending = relay.pending()
    assert [json.loads(r.payload)["name"] for r in pending] == ["first written", "committed later"]


def test_rolled_back_transaction_publishes_nothing(
    engine: Engine, settings: ServiceSettings
) -> None:
    with Session(engine) as session:
        session.begin()
        outbox.add(session, WidgetCreated(widget_id="gone", name="never"))
        session.rollback()
    assert OutboxRelay(settings, engine=engine, outbox=tables.outbox).publish_pending() == 0


def test_relay_survives_a_broker_restart_and_replay_restores_history(
    engine: Engine, events_database: str, tmp_path: object
) -> None:
    broker = TansuBroker()
    broker.start()
    try:
        settings = ServiceSettings(
            service_name="platformtest",
            environment="test",
            database_url=events_database,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            topic_prefix=f"r{uuid.uuid4().hex[:6]}.",
            outbox_poll_interval_s=0.2,
        )
        relay = OutboxRelay(settings, engine=engine, outbox=tables.outbox)
        stop = threading.Event()
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        thread.start()
        try:
            before = _create(engine, "before restart")
            assert wait_for(lambda: relay.published >= 1)

            broker.restart()  # memory storage: topics, data and offsets are gone
            after = _create(engine, "after restart 1", "after restart 2")
            assert wait_for(lambda: relay.published >= 3, timeout=60)
        finally:
            stop.set()
            thread.join(timeout=15)

        topic = _topic(settings)
        survivors = read_topic(broker.bootstrap_servers, topic, until=lambda r: len(r) >= 2)
        assert sorted(r.key.decode() for r in survivors) == sorted(after)

        assert replay_outbox(settings, engine=engine, outbox=tables.outbox) == 3
        replayed = read_topic(broker.bootstrap_servers, topic, until=lambda r: len(r) >= 5)
        assert sorted(r.key.decode() for r in replayed) == sorted(before + after + after)
        # Replayed records keep their original ce_id, so consumers dedupe them.
        ids = [dict(r.headers)["ce_id"] for r in replayed]
        assert len(set(ids)) == 3
    finally:
        broker.stop()
