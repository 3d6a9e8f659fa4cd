"""Event handlers by event type, applied a batch at a time.

A batch handler takes the session and the events of one run: consecutive new events of
the batch that go to the same handler, in the order they were consumed, as
`(payload, envelope)` pairs. It writes set-based (multi-row upserts, COPY), in the
batch's transaction. A handler registered with `on` takes one event; it is adapted
(called once per event of the run), so both kinds live in one registry. Hooks
registered with `after_batch` run once at the end of every batch, in its transaction
(the recommender recomputes the estimates its handlers marked stale there).

A batch handler registered `independent` writes only what no other handler of the
registry reads or writes, and reads nothing they write (the recommender's assessments,
ratings and job history: tables only its end-of-batch recompute reads). Its events of a
batch are applied as one run, in their consumed order, after the other runs, instead of
one run per stretch between other types' events: a stream that interleaves types per
employee (a hire and its job history, assessments and a rating) would otherwise cost a
statement per event.

The consumer applies a batch through `apply`, and a single record (the fallback that
isolates a poison record) through the same `apply` with one item: a handler and its
hooks see the same calls either way.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from talent_contracts import EventPayload
from talent_platform.events.envelope import Envelope

Handler = Callable[[Session, EventPayload, Envelope], None]
BatchItem = tuple[EventPayload, Envelope]
BatchHandler = Callable[[Session, Sequence[BatchItem]], None]
BatchHook = Callable[[Session], None]

T = TypeVar("T")


@dataclass
class HandlerRegistry:
    """Handlers by event type, one per type (the last registration wins), plus hooks run
    at the end of every batch. Event types without a handler are acknowledged and
    skipped."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    """Single-event handlers (`on`)."""
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)
    """Batch handlers (`on_batch`)."""
    hooks: list[BatchHook] = field(default_factory=list)
    """End-of-batch steps (`after_batch`), in registration order."""
    independent: set[BatchHandler] = field(default_factory=set)
    """Batch handlers whose runs may be gathered and applied after the others."""
    _adapted: dict[Handler, BatchHandler] = field(default_factory=dict, repr=False)

    def on(self, payload_type: type[EventPayload]) -> Callable[[Handler], Handler]:
        """Register a handler of single events of this type."""

        def register(handler: Handler) -> Handler:
            self.batch_handlers.pop(payload_type.event_type, None)
            self.handlers[payload_type.event_type] = handler
            return handler

        return register

    def on_batch(
        self, *payload_types: type[EventPayload], independent: bool = False
    ) -> Callable[[BatchHandler], BatchHandler]:
        """Register a handler of runs of events of these types. One handler for several
        types gets them mixed in one run, in consumed order. `independent`: see the
        module's docstring."""

        def register(handler: BatchHandler) -> BatchHandler:
            for payload_type in payload_types:
                self.handlers.pop(payload_type.event_type, None)
                self.batch_handlers[payload_type.event_type] = handler
            if independent:
                self.independent.add(handler)
            return handler

        return register

    def after_batch(self, hook: BatchHook) -> BatchHook:
        """Run `hook(session)` at the end of every batch, inside its transaction."""
        self.hooks.append(hook)
        return hook

    def include(self, other: HandlerRegistry) -> None:
        """Add another registry's handlers and hooks (a worker that serves several
        domains)."""
        for event_type, handler in other.handlers.items():
            self.batch_handlers.pop(event_type, None)
            self.handlers[event_type] = handler
        for event_type, batch_handler in other.batch_handlers.items():
            self.handlers.pop(event_type, None)
            self.batch_handlers[event_type] = batch_handler
        self.hooks.extend(hook for hook in other.hooks if hook not in self.hooks)
        self.independent |= other.independent

    @property
    def event_types(self) -> set[str]:
        """Every event type with a handler."""
        return {*self.handlers, *self.batch_handlers}

    def handles(self, event_type: str) -> bool:
        return event_type in self.handlers or event_type in self.batch_handlers

    def batch_handler(self, event_type: str) -> BatchHandler | None:
        """The handler of runs of this type (a single-event handler adapted), or None."""
        batch = self.batch_handlers.get(event_type)
        if batch is not None:
            return batch
        single = self.handlers.get(event_type)
        if single is None:
            return None
        if single not in self._adapted:
            self._adapted[single] = _one_by_one(single)
        return self._adapted[single]

    def apply(self, session: Session, items: Sequence[BatchItem]) -> None:
        """Apply these events (in order, every one with a handler) and then the
        end-of-batch hooks."""
        for handler, run in self.runs(items):
            handler(session, run)
        self.finish(session)

    def runs(self, items: Sequence[BatchItem]) -> Iterator[tuple[BatchHandler, list[BatchItem]]]:
        """Consecutive items that go to the same handler, then every item of each
        independent handler as one run. Runs keep the consumed order, so one aggregate's
        events (one key, one partition) are applied in order."""
        current: BatchHandler | None = None
        run: list[BatchItem] = []
        gathered: dict[BatchHandler, list[BatchItem]] = {}
        for payload, envelope in items:
            handler = self.batch_handler(envelope.type)
            if handler is None:
                raise LookupError(f"no handler for {envelope.type}")
            if handler in self.independent:
                gathered.setdefault(handler, []).append((payload, envelope))
                continue
            if handler is not current and run:
                assert current is not None
                yield current, run
                run = []
            current = handler
            run.append((payload, envelope))
        if run:
            assert current is not None
            yield current, run
        yield from gathered.items()

    def finish(self, session: Session) -> None:
        for hook in self.hooks:
            hook(session)


def _one_by_one(handler: Handler) -> BatchHandler:
    def run(session: Session, items: Sequence[BatchItem]) -> None:
        for payload, envelope in items:
            handler(session, payload, envelope)

    run.__name__ = getattr(handler, "__name__", "handler")
    return run


def in_waves(items: Sequence[T], key: Callable[[T], Hashable]) -> list[list[T]]:
    """Split items into waves in which every key occurs at most once, keeping each key's
    items in order (its first in the first wave, its second in the second...). A
    multi-row upsert can take one wave (PostgreSQL refuses to update a row twice in one
    statement); applying the waves in turn is applying the items one by one, for
    handlers whose items of different keys do not touch each other."""
    waves: list[list[T]] = []
    seen: dict[Hashable, int] = {}
    for item in items:
        k = key(item)
        wave = seen.get(k, 0)
        seen[k] = wave + 1
        if wave == len(waves):
            waves.append([])
        waves[wave].append(item)
    return waves
