"""A poll batch applied set-based: one inbox insert drops duplicates, batch handlers get
runs of consecutive events in consumed order, end-of-batch hooks run in the batch's
transaction, and a failing batch falls back to record-by-record handling."""

from __future__ import annotations

from collections.abc import Sequence

from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from talent_contracts import EventPayload, event
from talent_devtools.testing.topics import read_topic
from talent_platform.events import BatchItem, EventConsumer, HandlerRegistry, in_waves
from talent_platform.events.envelope import Envelope, encode
from talent_platform.events.handlers import BatchHandler
from talent_platform.settings import ServiceSettings

from .conftest import WidgetCreated, tables, widgets


@event("talent.platformtest.widget.renamed.v1", key_field="widget_id")
class WidgetRenamed(EventPayload):
    widget_id: str
    name: str


def record(payload: EventPayload, offset: int, *, topic: str, partition: int = 0) -> ConsumerRecord:
    return delivery(Envelope.for_payload(payload, service="platformtest"), offset, topic, partition)


def delivery(envelope: Envelope, offset: int, topic: str, partition: int = 0) -> ConsumerRecord:
    encoded = encode(envelope)
    return ConsumerRecord(
        topic,
        partition,
        -1,
        offset,
        0,
        0,
        encoded.key,
        encoded.value,
        encoded.headers,
        None,
        -1,
        -1,
        -1,
    )


class Recorder:
    """Batch handlers that upsert widgets set-based and note the runs they were given."""

    def __init__(self, *, fail_for: str | None = None) -> None:
        self.runs: list[list[tuple[str, str]]] = []
        self.hook_calls = 0
        self.fail_for = fail_for
        self.registry = HandlerRegistry()
        self.registry.on_batch(WidgetCreated)(self.created)
        self.registry.on_batch(WidgetRenamed)(self.renamed)
        self.registry.after_batch(self.hook)

    def _note(self, items: Sequence[BatchItem]) -> list[str]:
        ids = [p.widget_id for p, _ in items]  # type: ignore[attr-defined]
        self.runs.append([(p.event_type.split(".")[3], p.widget_id) for p, _ in items])  # type: ignore[attr-defined]
        if self.fail_for in ids:
            raise RuntimeError(f"cannot handle {self.fail_for}")
        return ids

    def created(self, session: Session, items: Sequence[BatchItem]) -> None:
        ids = self._note(items)
        for wave in in_waves(ids, key=lambda i: i):
            statement = insert(widgets).values([{"id": i, "seen": 1} for i in wave])
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[widgets.c.id], set_={"seen": widgets.c.seen + 1}
                )
            )

    def renamed(self, session: Session, items: Sequence[BatchItem]) -> None:
        for i in self._note(items):
            session.execute(
                update(widgets).where(widgets.c.id == i).values(seen=widgets.c.seen * 10)
            )

    def hook(self, session: Session) -> None:
        self.hook_calls += 1
        # Inside the batch's transaction: it sees the batch's writes.
        session.execute(
            insert(widgets)
            .values(id="hook", seen=0)
            .on_conflict_do_update(index_elements=[widgets.c.id], set_={"seen": widgets.c.seen + 1})
        )


def seen(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {i: n for i, n in conn.execute(select(widgets.c.id, widgets.c.seen)).all()}


def inbox_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.inbox)).scalar_one())


def consumer_for(
    settings: ServiceSettings, engine: Engine, registry: HandlerRegistry
) -> EventConsumer:
    return EventConsumer(
        settings, engine=engine, inbox=tables.inbox, registry=registry, topics=["unused"]
    )


def test_runs_of_one_handler_are_applied_in_order_with_one_hook_call(
    engine: Engine, settings: ServiceSettings
) -> None:
    recorder = Recorder()
    consumer = consumer_for(settings, engine, recorder.registry)
    topic = "t.runs"
    events: list[EventPayload] = [
        WidgetCreated(widget_id="a", name="a"),
        WidgetCreated(widget_id="b", name="b"),
        WidgetRenamed(widget_id="a", name="A"),
        WidgetCreated(widget_id="a", name="again"),
        WidgetCreated(widget_id="c", name="c"),
    ]

    consumer.handle_batch([record(e, offset, topic=topic) for offset, e in enumerate(events)])

    assert recorder.runs == [
        [("created", "a"), ("created", "b")],
        [("renamed", "a")],
        [("created", "a"), ("created", "c")],
    ]
    # In consumed order: a created (1), renamed (x10), created again (+1).
    assert seen(engine) == {"a": 11, "b": 1, "c": 1, "hook": 0}
    assert recorder.hook_calls == 1
    assert consumer.stats.processed == 5


def test_duplicates_in_the_batch_and_from_earlier_batches_are_applied_once(
    engine: Engine, settings: ServiceSettings
) -> None:
    recorder = Recorder()
    consumer = consumer_for(settings, engine, recorder.registry)
    topic = "t.duplicates"
    first = Envelope.for_payload(WidgetCreated(widget_id="a", name="a"), service="platformtest")
    second = Envelope.for_payload(WidgetCreated(widget_id="b", name="b"), service="platformtest")

    consumer.handle_batch([delivery(first, 0, topic), delivery(first, 1, topic)])
    # Redelivered after a lost offset commit, with a new event.
    consumer.handle_batch([delivery(first, 0, topic), delivery(second, 2, topic)])

    assert seen(engine) == {"a": 1, "b": 1, "hook": 1}
    assert (consumer.stats.processed, consumer.stats.duplicates) == (2, 2)
    assert inbox_size(engine) == 2
    assert recorder.runs == [[("created", "a")], [("created", "b")]]


def test_events_without_a_handler_are_skipped_and_acknowledged(
    engine: Engine, settings: ServiceSettings
) -> None:
    registry = HandlerRegistry()
    consumer = consumer_for(settings, engine, registry)

    consumer.handle_batch([record(WidgetCreated(widget_id="a", name="a"), 0, topic="t.skip")])

    assert consumer.stats.skipped == 1
    assert inbox_size(engine) == 1


def test_a_failing_batch_is_rolled_back_and_applied_record_by_record(
    engine: Engine, settings: ServiceSettings
) -> None:
    recorder = Recorder(fail_for="bad")
    consumer = consumer_for(settings, engine, recorder.registry)
    topic = f"{settings.topic_prefix}talent.platformtest.v1"
    events = [
        WidgetCreated(widget_id="a", name="a"),
        WidgetCreated(widget_id="bad", name="bad"),
        WidgetCreated(widget_id="b", name="b"),
    ]

    consumer.handle_batch([record(e, offset, topic=topic) for offset, e in enumerate(events)])

    # The batch (all three) failed and left nothing; then each record alone: the good ones
    # applied once, each with its own end-of-batch step, the poison one retried, then
    # dead-lettered.
    assert seen(engine) == {"a": 1, "b": 1, "hook": 1}
    assert recorder.runs[0] == [("created", "a"), ("created", "bad"), ("created", "b")]
    assert recorder.runs[1:] == [
        [("created", "a")],
        *[[("created", "bad")]] * settings.consumer_max_attempts,
        [("created", "b")],
    ]
    assert (consumer.stats.processed, consumer.stats.dead_lettered) == (2, 1)
    dead = read_topic(settings.kafka_bootstrap_servers, f"{topic}.dlq", until=lambda r: bool(r))
    assert [r.key for r in dead] == [b"bad"]


def test_a_failing_hook_fails_the_batch(engine: Engine, settings: ServiceSettings) -> None:
    registry = HandlerRegistry()
    applied: list[str] = []

    @registry.on(WidgetCreated)
    def created(session: Session, payload: EventPayload, envelope: Envelope) -> None:
        assert isinstance(payload, WidgetCreated)
        applied.append(payload.widget_id)
        session.execute(insert(widgets).values(id=payload.widget_id, seen=1))

    @registry.after_batch
    def broken(session: Session) -> None:
        raise RuntimeError("end-of-batch step failed")

    consumer = consumer_for(settings, engine, registry)
    topic = f"{settings.topic_prefix}talent.platformtest.v1"

    consumer.handle_batch([record(WidgetCreated(widget_id="a", name="a"), 0, topic=topic)])

    # Nothing of the handler's work stays: the batch, then every attempt alone, failed.
    assert seen(engine) == {}
    assert applied == ["a"] * (1 + settings.consumer_max_attempts)
    assert consumer.stats.dead_lettered == 1


def test_single_event_handlers_are_adapted_and_registries_combine() -> None:
    one, other = HandlerRegistry(), HandlerRegistry()
    calls: list[str] = []

    @one.on(WidgetCreated)
    def created(session: Session, payload: EventPayload, envelope: Envelope) -> None:
        calls.append(f"created {payload.widget_id}")  # type: ignore[attr-defined]

    @other.on_batch(WidgetRenamed)
    def renamed(session: Session, items: Sequence[BatchItem]) -> None:
        calls.append(f"renamed x{len(items)}")

    other.after_batch(lambda session: calls.append("hook"))
    combined = HandlerRegistry()
    combined.include(one)
    combined.include(other)
    events: list[EventPayload] = [
        WidgetCreated(widget_id="a", name="a"),
        WidgetCreated(widget_id="b", name="b"),
        WidgetRenamed(widget_id="a", name="A"),
        WidgetRenamed(widget_id="b", name="B"),
    ]
    items = [(e, Envelope.for_payload(e, service="platformtest")) for e in events]

    combined.apply(Session(), items)

    assert calls == ["created a", "created b", "renamed x2", "hook"]
    assert combined.event_types == {WidgetCreated.event_type, WidgetRenamed.event_type}


def test_waves_keep_each_keys_order() -> None:
    items = ["a1", "b1", "a2", "c1", "a3", "b2"]
    assert in_waves(items, key=lambda i: i[0]) == [["a1", "b1", "c1"], ["a2", "b2"], ["a3"]]


def test_an_independent_handlers_events_are_gathered_into_one_run_after_the_others() -> None:
    registry = HandlerRegistry()
    calls: list[str] = []

    @registry.on_batch(WidgetCreated)
    def created(session: Session, items: Sequence[BatchItem]) -> None:
        calls.append("created " + "".join(p.widget_id for p, _ in items))  # type: ignore[attr-defined]

    @registry.on_batch(WidgetRenamed, independent=True)
    def renamed(session: Session, items: Sequence[BatchItem]) -> None:
        calls.append("renamed " + "".join(p.name for p, _ in items))  # type: ignore[attr-defined]

    combined = HandlerRegistry()
    combined.include(registry)
    events: list[EventPayload] = []
    for widget in "abc":
        events += [
            WidgetCreated(widget_id=widget, name=widget),
            WidgetRenamed(widget_id=widget, name=widget.upper()),
            WidgetRenamed(widget_id=widget, name=widget.upper() + "2"),
        ]
    items = [(e, Envelope.for_payload(e, service="platformtest")) for e in events]

    combined.apply(Session(), items)

    # Two runs (not six), the renames in their consumed order.
    assert calls == ["created abc", "renamed AA2BB2CC2"]


def test_several_handlers_of_a_type_run_in_registration_order_each_with_its_events() -> None:
    # A projection of widgets, then two domains subscribed to some of the same events.
    projection, audit, naming = HandlerRegistry(), HandlerRegistry(), HandlerRegistry()
    calls: list[str] = []

    def note(name: str) -> BatchHandler:
        def handler(session: Session, items: Sequence[BatchItem]) -> None:
            calls.append(name + " " + "".join(p.widget_id for p, _ in items))  # type: ignore[attr-defined]

        return handler

    projection.on_batch(WidgetCreated, WidgetRenamed)(note("project"))
    audit.on_batch(WidgetCreated)(note("audit"))
    naming.on_batch(WidgetRenamed, WidgetCreated)(note("names"))
    combined = HandlerRegistry()
    for registry in (projection, audit, naming):
        combined.include(registry)
    events: list[EventPayload] = [
        WidgetRenamed(widget_id="a", name="A"),
        WidgetCreated(widget_id="b", name="b"),
        WidgetRenamed(widget_id="c", name="C"),
    ]
    items = [(e, Envelope.for_payload(e, service="platformtest")) for e in events]

    combined.apply(Session(), items)

    # One run (the projection handles all three first), then each domain its own events.
    assert calls == ["project abc", "audit b", "names abc"]
    assert combined.handlers_for(WidgetCreated.event_type) == [
        *projection.handlers_for(WidgetCreated.event_type),
        *audit.handlers_for(WidgetCreated.event_type),
        *naming.handlers_for(WidgetCreated.event_type),
    ]
