"""A consumer worker process for fault tests:
`python tests/faults/batch_worker.py CONFIG.json`.

It consumes the fault tests' widget events with a batch handler (one multi-row insert per
run) until SIGTERM, then prints its stats as JSON. With `hold` in the configuration it
stops in the middle of its first batch of more than one record and waits there to be
killed, after writing `marker` (a JSON line with the batch size):
- `"hold": "in_transaction"`: the handler has written the batch's rows (sent to
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

from conftest import SERVICE, WidgetCreated, applied, tables

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
    hold = config.get("hold")
    marker = Path(config["marker"]) if config.get("marker") else None
    registry = HandlerRegistry()

    @registry.on_batch(WidgetCreated)
    def apply_widgets(session: Session, items: Sequence[BatchItem]) -> None:
        rows = [{"widget_id": payload.widget_id} for payload, _ in items]  # type: ignore[attr-defined]
        session.execute(applied.insert(), rows)
        if hold == "in_transaction" and marker is not None and len(items) > 1:
            session.flush()
            hold_here(marker, len(items))

    batch_sizes: list[int] = []

    def consumer_factory(settings: ServiceSettings, *, group_id: str) -> KafkaConsumer:
        consumer = create_consumer(settings, group_id=group_id)
        if hold != "before_offset_commit" or marker is None:
            return consumer
        commit = consumer.commit

        def commit_or_hold(offsets: Any = None) -> Any:
            if batch_sizes and batch_sizes[-1] > 1:
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
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        consumer.run(stop)
    finally:
        engine.dispose()
    print(json.dumps(describe(consumer.stats)), flush=True)


if __name__ == "__main__":
    main(json.loads(Path(sys.argv[1]).read_text()))
