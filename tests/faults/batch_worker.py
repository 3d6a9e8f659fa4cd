"""A consumer worker process for fault tests:
`python tests/faults/batch_worker.py CONFIG.json`.

It consumes the fault tests' widget events with batch handlers (one multi-row insert per
run; a step is recorded with the worker's `name`) until SIGTERM, then prints its stats as
JSON. With `assignments` in the configuration it appends a JSON line with its partitions
to that file after every poll that finds them changed; with `join_when` it joins its
consumer group only once that file exists (started early, it is ready to join at once).
With `hold` it stops in the
middle of its first batch of more than one record (once the file `arm` exists, if
given) and waits there to be killed, after writing `marker` (a JSON line with the batch
size):
- `"hold": "in_transaction"`: the widget handler has written the batch's rows (sent to
  PostgreSQL, not committed);
- `"hold": "before_offset_commit"`: the batch's transaction has committed, its offsets
  are not committed yet.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))

from conftest import SERVICE, WidgetCreated, WidgetStepped, applied, applied_step, tables

from talent_platform.db import sync_url
from talent_platform.events import BatchItem, EventConsumer, HandlerRegistry
from talent_platform.events.consumer import describe
from talent_platform.events.kafka import create_consumer
from talent_platform.settings import ServiceSettings


def hold_here(marker: Path, batch_size: int) -> None:
    marker.write_text(json.dumps({"batch_size": batch_size}) + "\n")
    while True:  # until SIGKILL
        time.sleep(60)


def main(config: dict[str, Any]) -> None:
    settings = ServiceSettings(
        service_name=SERVICE,
        environment="test",
        database_url=config["database_url"],
        kafka_bootstrap_servers=config["bootstrap"],
        kafka_topic_partitions=1,
        consumer_retry_backoff_s=0.01,
    )
    name = config.get("name", "worker")
    hold = config.get("hold")
    marker = Path(config["marker"]) if config.get("marker") else None
    arm = Path(config["arm"]) if config.get("arm") else None
    assignments = Path(config["assignments"]) if config.get("assignments") else None
    registry = HandlerRegistry()

    def holding(mode: str) -> bool:
        return hold == mode and marker is not None and (arm is None or arm.exists())

    @registry.on_batch(WidgetCreated)
    def apply_widgets(session: Session, items: Sequence[BatchItem]) -> None:
        rows = [{"widget_id": payload.widget_id} for payload, _ in items]  # type: ignore[attr-defined]
        session.execute(applied.insert(), rows)
        if holding("in_transaction") and marker is not None and len(items) > 1:
            session.flush()
            hold_here(marker, len(items))

    @registry.on_batch(WidgetStepped)
    def apply_steps(session: Session, items: Sequence[BatchItem]) -> None:
        rows = [
            {"widget_id": payload.widget_id, "step": payload.step, "worker": name}  # type: ignore[attr-defined]
            for payload, _ in items
        ]
        session.execute(applied_step.insert(), rows)

    batch_sizes: list[int] = []
    consumers: list[KafkaConsumer] = []

    def consumer_factory(settings: ServiceSettings, *, group_id: str) -> KafkaConsumer:
        consumer = create_consumer(settings, group_id=group_id)
        consumers.append(consumer)
        if hold != "before_offset_commit" or marker is None:
            return consumer
        commit = consumer.commit

        def commit_or_hold(offsets: Any = None) -> Any:
            if holding("before_offset_commit") and batch_sizes and batch_sizes[-1] > 1:
                assert marker is not None
                hold_here(marker, batch_sizes[-1])
            return commit(offsets)

        consumer.commit = commit_or_hold
        return consumer

    engine = create_engine(sync_url(settings.database_url))
    consumer = EventConsumer(
        settings,
        engine=engine,
        inbox=tables.inbox,
        registry=registry,
        topics=[config["topic"]],
        group_id=config["group_id"],
        consumer_factory=consumer_factory,
    )
    handle_batch = consumer.handle_batch

    def noting_batch(records: Sequence[Any]) -> None:
        batch_sizes.append(len(records))
        handle_batch(records)

    consumer.handle_batch = noting_batch  # type: ignore[method-assign]
    noted: list[int] | None = None

    def note_assignment() -> None:
        # On the loop's thread, after a poll: the consumer is not thread-safe.
        nonlocal noted
        partitions = sorted(tp.partition for tp in consumers[-1].assignment())
        if assignments is not None and partitions != noted:
            noted = partitions
            with assignments.open("a") as file:
                file.write(json.dumps({"partitions": partitions}) + "\n")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    join_when = Path(config["join_when"]) if config.get("join_when") else None
    while join_when is not None and not join_when.exists():
        if stop.wait(0.05):
            break
    try:
        consumer.run(stop, after_poll=note_assignment)
    finally:
        engine.dispose()
    print(json.dumps(describe(consumer.stats)), flush=True)


if __name__ == "__main__":
    main(json.loads(Path(sys.argv[1]).read_text()))
