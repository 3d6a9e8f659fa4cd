"""Repositioning newly assigned partitions, with a consumer whose coordinator may not answer."""

from __future__ import annotations

from typing import Any

from kafka import TopicPartition
from kafka.errors import KafkaTimeoutError

from talent_platform.events.consumer import (
    COMMITTED_LOOKUP_ATTEMPTS,
    _Assignments,
    _start_from_committed,
)

A = TopicPartition("t", 0)
B = TopicPartition("t", 1)


class Consumer:
    """What `_start_from_committed` uses of a KafkaConsumer; `committed` fails while
    `failures` lasts."""

    def __init__(self, assigned: set[TopicPartition], committed: dict[TopicPartition, int]):
        self.assigned = assigned
        self.offsets = committed
        self.failures = 0
        self.positions: dict[TopicPartition, int | str] = {}

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    def committed(self, tp: TopicPartition, *, timeout_ms: int) -> int | None:
        assert timeout_ms > 0  # never an unbounded wait
        if self.failures:
            self.failures -= 1
            raise KafkaTimeoutError("no coordinator")
        return self.offsets.get(tp)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def seek_to_beginning(self, tp: TopicPartition) -> None:
        self.positions[tp] = "beginning"


def assigned(*tps: TopicPartition) -> _Assignments:
    assignments = _Assignments()
    assignments.on_partitions_assigned(set(tps))
    return assignments


def test_starts_at_the_committed_offset_or_the_beginning_and_drops_what_was_fetched() -> None:
    consumer = Consumer({A, B}, {A: 7})
    batches: dict[TopicPartition, Any] = {A: ["early"], B: ["early"]}
    left = _start_from_committed(consumer, assigned(A, B), batches)  # type: ignore[arg-type]
    assert consumer.positions == {A: 7, B: "beginning"}
    assert left == {}


def test_a_partition_revoked_before_it_was_repositioned_is_left_alone() -> None:
    consumer = Consumer({A}, {A: 3, B: 4})
    assignments = assigned(A, B)
    assignments.on_partitions_revoked({B})
    left = _start_from_committed(consumer, assignments, {})  # type: ignore[arg-type]
    assert consumer.positions == {A: 3}
    assert assignments.new == set()
    assert left == {}


def test_an_unanswered_lookup_keeps_the_partitions_pending_then_starts_from_the_beginning() -> None:
    consumer = Consumer({A}, {A: 9})
    consumer.failures = COMMITTED_LOOKUP_ATTEMPTS
    assignments = assigned(A)
    for _ in range(COMMITTED_LOOKUP_ATTEMPTS - 1):
        left = _start_from_committed(consumer, assignments, {A: ["stale"]})  # type: ignore[arg-type]
        assert left == {}  # nothing processed from a position that was not checked
        assert assignments.new == {A}
        assert consumer.positions == {}
    _start_from_committed(consumer, assignments, {})  # type: ignore[arg-type]
    assert consumer.positions == {A: "beginning"}  # the inbox skips what was applied
    assert assignments.new == set()


def test_a_lookup_that_recovers_uses_the_committed_offset() -> None:
    consumer = Consumer({A}, {A: 9})
    consumer.failures = 1
    assignments = assigned(A)
    _start_from_committed(consumer, assignments, {})  # type: ignore[arg-type]
    _start_from_committed(consumer, assignments, {})  # type: ignore[arg-type]
    assert consumer.positions == {A: 9}
    assert assignments.failed_lookups == 0
