"""Scale-out: worker replicas of one service share its topic's partitions through their
consumer group, and a member joining or dying midway loses, repeats and reorders nothing.

Real worker processes (`batch_worker.py`), one consumer group, a topic of three
partitions created the way a worker creates its topics (`ensure_topics` with
`kafka_topic_partitions`). Thirty widgets' numbered steps (keyed by widget, so about ten
widgets per partition) are published in three parts:
1. workers a and b have split the partitions between them;
2. worker c joins as the second part is published: the group rebalances while records
   flow, and each worker ends up with one partition;
3. during the third part, worker a is killed (SIGKILL) after a batch's transaction
   committed and before its offsets did: its partition goes to b and c, which get that
   batch again and must drop it by the inbox.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from talent_contracts import dlq_topic
from talent_devtools.testing import wait_for
from talent_platform.db import sync_url
from talent_platform.events.kafka import ensure_topics
from talent_platform.settings import ServiceSettings

from .conftest import SERVICE, WidgetStepped, applied_step, tables
from .helpers import batch_worker, publish

PARTITIONS = 3
WIDGETS = 30
STEPS = 99  # per widget, published in three parts of 33
EVENTS = WIDGETS * STEPS
# Bounds every wait; worker processes importing side by side on a busy machine take
# seconds to start.
WAIT_S = 60


def steps(first: int, last: int) -> list[WidgetStepped]:
    """Steps first..last-1 of every widget, interleaved as a busy producer would send them."""
    return [
        WidgetStepped(widget_id=f"w{w:02d}", step=s)
        for s in range(first, last)
        for w in range(WIDGETS)
    ]


def applied_rows(url: str) -> list[tuple[str, int, str]]:
    """(widget, step, worker) of every applied step, in the order they were applied."""
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    applied_step.c.widget_id, applied_step.c.step, applied_step.c.worker
                ).order_by(applied_step.c.id)
            ).all()
    finally:
        engine.dispose()
    return [(widget, step, worker) for widget, step, worker in rows]


def applied_total(url: str, *, widgets: Iterable[str] | None = None) -> int:
    """How many steps were applied (of these widgets)."""
    query = select(func.count()).select_from(applied_step)
    if widgets is not None:
        query = query.where(applied_step.c.widget_id.in_(list(widgets)))
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def inbox_total(url: str) -> int:
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(tables.inbox)).scalar_one())
    finally:
        engine.dispose()


def latest_assignment(path: Path) -> set[int]:
    """The partitions a worker last noted it owns (none before its first note)."""
    if not path.exists():
        return set()
    lines = [line for line in path.read_text().splitlines(keepends=True) if line.endswith("\n")]
    return set(json.loads(lines[-1])["partitions"]) if lines else set()


def owned(files: dict[str, Path]) -> str:
    """What each worker noted it owns over time, for a failure message."""
    return "; ".join(
        f"{name}: {' then '.join(path.read_text().splitlines()) if path.exists() else '-'}"
        for name, path in files.items()
    )


def split_between(files: Iterable[Path]) -> bool:
    """Every partition owned by exactly one of these workers, and each owns some."""
    shares = [latest_assignment(path) for path in files]
    return (
        all(shares)
        and sum(len(partitions) for partitions in shares) == PARTITIONS
        and set().union(*shares) == set(range(PARTITIONS))
    )


def stats_of(process: subprocess.Popen[str]) -> dict[str, Any]:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    stats: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return stats


def test_worker_replicas_share_the_partitions_and_apply_every_event_once_in_order(
    database_url: str, settings: ServiceSettings, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"kafka_topic_partitions": PARTITIONS})
    bootstrap = settings.kafka_bootstrap_servers
    topic = f"{settings.topic_prefix}talent.{SERVICE}.v1"
    ensure_topics(settings, [topic, dlq_topic(topic)], partitions=settings.kafka_topic_partitions)
    config = {
        "database_url": database_url,
        "bootstrap": bootstrap,
        "topic": topic,
        "group_id": f"scale-{uuid.uuid4().hex[:8]}",
    }
    owns = {name: tmp_path / f"{name}.assignments" for name in "abc"}
    marker, arm, join = tmp_path / "held", tmp_path / "arm", tmp_path / "join"

    with (
        batch_worker(
            {
                **config,
                "name": "a",
                "assignments": str(owns["a"]),
                "hold": "before_offset_commit",
                "marker": str(marker),
                "arm": str(arm),
            },
            tmp_path,
        ) as a,
        batch_worker({**config, "name": "b", "assignments": str(owns["b"])}, tmp_path) as b,
        batch_worker(
            {**config, "name": "c", "assignments": str(owns["c"]), "join_when": str(join)},
            tmp_path,
        ) as c,
    ):
        assert wait_for(lambda: split_between([owns["a"], owns["b"]]), timeout=WAIT_S), (
            f"a and b never split the partitions between them ({owned(owns)})"
        )
        landed = publish(bootstrap, topic, steps(0, 33))
        widgets_in: dict[int, set[str]] = defaultdict(set)
        for payload, metadata in zip(steps(0, 33), landed, strict=True):
            widgets_in[metadata.partition].add(payload.widget_id)
        # Several keys per partition, on every partition.
        assert sorted(widgets_in) == list(range(PARTITIONS))
        assert all(len(widgets) >= 2 for widgets in widgets_in.values())
        assert wait_for(lambda: applied_total(database_url) >= WIDGETS * 33, timeout=WAIT_S)

        join.touch()
        publish(bootstrap, topic, steps(33, 66))
        assert wait_for(lambda: split_between(owns.values()), timeout=WAIT_S), (
            f"the group never gave each of a, b and c a partition ({owned(owns)})"
        )
        assert wait_for(lambda: applied_total(database_url) >= WIDGETS * 66, timeout=WAIT_S)

        arm.touch()
        publish(bootstrap, topic, steps(66, 99))
        assert wait_for(marker.exists, timeout=WAIT_S), "worker a never held a batch"
        held = json.loads(marker.read_text())["batch_size"]
        os.kill(a.pid, signal.SIGKILL)
        a.wait(timeout=30)
        assert wait_for(lambda: split_between([owns["b"], owns["c"]]), timeout=WAIT_S), (
            f"b and c never took over a's partition ({owned(owns)})"
        )
        # Each partition is applied in order: once its last event is, everything
        # before it is too (or was dropped as a duplicate).
        ends = [f"last-{partition}" for partition in range(PARTITIONS)]
        for partition, widget in enumerate(ends):
            publish(
                bootstrap, topic, [WidgetStepped(widget_id=widget, step=0)], partition=partition
            )
        assert wait_for(
            lambda: applied_total(database_url, widgets=ends) >= PARTITIONS, timeout=WAIT_S
        )
        survivors = [stats_of(b), stats_of(c)]

    rows = [row for row in applied_rows(database_url) if not row[0].startswith("last-")]
    applied_steps: dict[str, list[int]] = defaultdict(list)
    for widget, step, _ in rows:
        applied_steps[widget].append(step)
    # Every step exactly once, each widget's in the order published.
    assert len(rows) == EVENTS
    assert {w: s for w, s in applied_steps.items() if s != list(range(STEPS))} == {}
    assert len(applied_steps) == WIDGETS
    assert inbox_total(database_url) == EVENTS + PARTITIONS
    # Each worker did part of the work.
    by_worker = Counter(worker for _, _, worker in rows)
    assert sorted(by_worker) == ["a", "b", "c"]
    assert all(count > 0 for count in by_worker.values())
    # a's last batch committed without its offsets: it came again and the inbox dropped it.
    assert held > 1
    assert sum(stats["duplicates"] for stats in survivors) >= held
    assert [stats["dead_lettered"] for stats in survivors] == [0, 0]
