"""The recommender's handler registry and what its handlers share: registering a batch
handler (`handles`, which also counts the events), running rare events one by one, and
the end-of-batch steps: the count of events applied (`record_progress`) and the
recompute of the estimates the batch's handlers marked stale (`recompute_stale`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_platform.events import Envelope, HandlerRegistry
from talent_recommender.ingest import store
from talent_recommender.profiles.estimates import recompute_stale

registry = HandlerRegistry()
# The end-of-batch step: estimates of the employees the batch's handlers marked stale.
registry.after_batch(recompute_stale)

Items = Sequence[tuple[Any, Envelope]]
RunHandler = Callable[[Session, Items], None]
TypedHandler = Callable[[Session, Any, Envelope], None]


def handles(
    *types: type[EventPayload], independent: bool = False
) -> Callable[[RunHandler], RunHandler]:
    """Register a batch handler for these event types (it gets only those payload types);
    each run also counts its events. `independent`: the handler writes tables no other
    handler reads (`HandlerRegistry.on_batch`), so its events of a batch go in one run."""

    def register(handler: RunHandler) -> RunHandler:
        def run(session: Session, items: Items) -> None:
            for payload, _ in items:
                if not isinstance(payload, types):
                    raise TypeError(f"unexpected payload {type(payload).__name__}")
            handler(session, items)
            count_events(session, items)

        registry.on_batch(*types, independent=independent)(run)
        return handler

    return register


def one_by_one(handler: TypedHandler) -> RunHandler:
    """A run handler that applies its events one after another (for rare events)."""

    def run(session: Session, items: Items) -> None:
        for payload, envelope in items:
            handler(session, payload, envelope)

    return run


_COUNTED = "talent_recommender.counted_events"


def count_events(session: Session, items: Items) -> None:
    """Add a run's events to the batch's count (`record_progress` writes it once)."""
    if not items:
        return
    count, last = session.info.get(_COUNTED, (0, None))
    latest = max(envelope.time for _, envelope in items)
    session.info[_COUNTED] = (count + len(items), latest if last is None else max(last, latest))


@registry.after_batch
def record_progress(session: Session) -> None:
    """End of batch: how many events were applied, and the time of the latest event
    applied so far (whatever order the batch's runs went in)."""
    count, last = session.info.pop(_COUNTED, (0, None))
    if not count:
        return
    store.add_progress(session, events=count, last_event_time=last)
