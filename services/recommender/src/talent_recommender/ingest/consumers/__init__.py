"""Builds the recommender's projections from people, learning, performance and
succession events.

Every handler is an upsert keyed by the source's natural key, so a re-delivered or
replayed event changes nothing (the platform's inbox already skips exact duplicates by
`ce_id`; replays from another outbox history are idempotent here). Handlers take a
consumer batch's run of events at once and write set-based: the frequent ones (employees,
job history, completions, assessments, ratings, potential, enrollments) with one
multi-row statement per wave of distinct keys (`in_waves`: a key's second event goes in
the next wave, so the result is the events' one-by-one result), job profiles and
courses too (a catalogue import publishes thousands); the rare ones (key roles,
nominations) one event after another. After changing
evidence a handler marks the employees it touched; their skill estimates (and only
theirs) are recomputed once per batch by the end-of-batch step `recompute_stale`,
registered on this registry.
"""

from talent_recommender.ingest.consumers import (  # noqa: F401 (importing registers them)
    learning,
    people,
    performance,
    succession,
)
from talent_recommender.ingest.consumers.runs import registry

__all__ = ["registry"]
