"""Fault: a consumer worker process is killed with SIGKILL in the middle of a batch, and
started again.

Killed while the batch's transaction is open, nothing of the batch may stay; killed
after that transaction committed but before the offsets did, the batch comes again and
the inbox must drop all of it. Either way, after the restart every event is applied
exactly once: nothing lost, nothing twice.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from pathlib import Path

import pytest

from talent_contracts import dlq_topic
from talent_devtools.broker import create_topics
from talent_devtools.testing import wait_for
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, WidgetCreated
from .helpers import applied_counts, batch_worker, publish

EVENTS = 2000


@pytest.mark.parametrize("hold", ["in_transaction", "before_offset_commit"])
def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    hold: str, database_url: str, settings: ServiceSettings, tmp_path: Path
) -> None:
    bootstrap = settings.kafka_bootstrap_servers
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    create_topics(bootstrap, [topic, dlq_topic(topic)])
    sent = [f"w-{i:05d}" for i in range(EVENTS)]
    publish(bootstrap, topic, [WidgetCreated(widget_id=w) for w in sent])
    marker = tmp_path / "held"
    config = {
        "database_url": database_url,
        "bootstrap": bootstrap,
        "topic": topic,
        "group_id": f"faults-{uuid.uuid4().hex[:8]}",
    }

    with batch_worker({**config, "hold": hold, "marker": str(marker)}, tmp_path) as first:
        assert wait_for(marker.exists, timeout=120), "the worker never reached a batch"
        held = json.loads(marker.read_text())["batch_size"]
        committed = sum(applied_counts(database_url).values())
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert held > 1
    if hold == "in_transaction":
        # The first batch was open: none of it committed.
        assert committed == 0
    else:
        # The batch committed, its offsets did not: it will be delivered again.
        assert committed >= held

    with batch_worker(config, tmp_path) as second:
        publish(bootstrap, topic, [WidgetCreated(widget_id="sentinel")])
        # One partition, in order: once the sentinel is applied, so is all before it.
        assert wait_for(lambda: "sentinel" in applied_counts(database_url), timeout=180)
        second.send_signal(signal.SIGTERM)
        out, _ = second.communicate(timeout=60)
    stats = json.loads(out.strip().splitlines()[-1])

    counts = applied_counts(database_url)
    assert set(counts) == {*sent, "sentinel"}
    assert [w for w, n in counts.items() if n != 1] == []
    assert stats["dead_lettered"] == 0
    if hold == "before_offset_commit":
        assert stats["duplicates"] >= held  # the redelivered batch, dropped by the inbox
