"""Reading a topic back in tests: what was really published, through a fresh group."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord

from talent_devtools.broker import TANSU_FAST_CONSUMER


def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[ConsumerRecord]], bool],
    timeout: float = 30.0,
) -> list[ConsumerRecord]:
    """Consume a topic from the beginning (fresh group) until `until(records)` or timeout."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **TANSU_FAST_CONSUMER,
    )
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(records):
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records
