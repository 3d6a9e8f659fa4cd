"""Event handlers by event type, applied a batch at a time.

A batch handler takes the session and the events of one run: consecutive new events of
the batch that go to the same (first) handler, in the order they were consumed, as
`(payload, envelope)` pairs. It writes set-based (multi-row upserts, COPY), in the
batch's transaction. A handler registered with `on` takes one event; it is adapted
(called once per event of the run), so both kinds live in one registry. Hooks
registered with `after_batch` run once at the end of every batch, in its transaction
(the recommender records the estimates its handlers marked stale there).

An event type may have several handlers, each registered by the domain it serves
(learning's projection of employees, its onboarding and its compliance rules all
subscribe to people's hires). They run in registration order: for each wave of distinct
aggregates of a run, every handler of its events gets, in turn, the events it handles.

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
    """Handlers by event type, several per type in registration order, plus hooks run at
    the end of every batch. Event types without a handler are acknowledged and
    skipped."""

    handlers: dict[str, list[BatchHandler]] = field(default_factory=dict)
    """Every type's handlers (single-event ones adapted), in registration order."""
    hooks: list[BatchHook] = field(default_factory=list)
    """End-of-batch steps (`after_batch`), in registration order."""
    independent: set[BatchHandler] = field(default_factory=set)
    """Batch handlers whose runs may be gathered and applied after the others."""
    single: set[BatchHandler] = field(default_factory=set)
    """The adapted single-event handlers (registered with `on`)."""
    _adapted: dict[Handler, BatchHandler] = field(default_factory=dict, repr=False)
    _order: dict[BatchHandler, int] = field(default_factory=dict, repr=False)

    def _add(self, event_type: str, handler: BatchHandler) -> None:
        self._order.setdefault(handler, len(self._order))
        handlers = self.handlers.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)

    def on(self, payload_type: type[EventPayload]) -> Callable[[Handler], Handler]:
        """Register a handler of single events of this type."""

        def register(handler: Handler) -> Handler:
            if handler not in self._adapted:
                self._adapted[handler] = _one_by_one(handler)
            self.single.add(self._adapted[handler])
            self._add(payload_type.event_type, self._adapted[handler])
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
                self._add(payload_type.event_type, handler)
            if independent:
                self.independent.add(handler)
            return handler

        return register

    def replace(
        self, payload_type: type[EventPayload], old: BatchHandler, new: BatchHandler
    ) -> None:
        """Put `new` where `old` handles this type (a test wrapping a handler)."""
        handlers = self.handlers[payload_type.event_type]
        handlers[handlers.index(old)] = new
        self._order.setdefault(new, self._order[old])
        if old in self.independent:
            self.independent.add(new)

    def after_batch(self, hook: BatchHook) -> BatchHook:
        """Run `hook(session)` at the end of every batch, inside its transaction."""
        self.hooks.append(hook)
        return hook

    def include(self, other: HandlerRegistry) -> None:
        """Add another registry's handlers and hooks after this one's (a worker that
        serves several domains)."""
        for event_type, handlers in other.handlers.items():
            for handler in handlers:
                self._add(event_type, handler)
        self.hooks.extend(hook for hook in other.hooks if hook not in self.hooks)
        self.independent |= other.independent
        self.single |= other.single

    @property
    def event_types(self) -> set[str]:
        """Every event type with a handler."""
        return {t for t, handlers in self.handlers.items() if handlers}

    def handles(self, event_type: str) -> bool:
        return bool(self.handlers.get(event_type))

    def handlers_for(self, event_type: str) -> list[BatchHandler]:
        """This type's handlers, in registration order (empty: none)."""
        return self.handlers.get(event_type, [])

    def apply(self, session: Session, items: Sequence[BatchItem]) -> None:
        """Apply these events (in order, every one with a handler) and then the
        end-of-batch hooks."""
        for handler, run in self.runs(items):
            handler(session, run)
        self.finish(session)

    def runs(self, items: Sequence[BatchItem]) -> Iterator[tuple[BatchHandler, list[BatchItem]]]:
        """(handler, events) calls in order: for each run of consecutive items whose first
        handler is the same, each handler of the run's items with the items it handles;
        then every item of each independent handler as one run. Runs keep the consumed
        order, so one aggregate's events (one key, one partition) are applied in order."""
        run: list[BatchItem] = []
        first: BatchHandler | None = None
        gathered: dict[BatchHandler, list[BatchItem]] = {}
        for payload, envelope in items:
            handlers = self.handlers_for(envelope.type)
            if not handlers:
                raise LookupError(f"no handler for {envelope.type}")
            for handler in handlers:
                if handler in self.independent:
                    gathered.setdefault(handler, []).append((payload, envelope))
            ordered = [h for h in handlers if h not in self.independent]
            if not ordered:
                continue
            if ordered[0] is not first and run:
                yield from self._split(run)
                run = []
            first = ordered[0]
            run.append((payload, envelope))
        if run:
            yield from self._split(run)
        yield from gathered.items()

    def _split(self, run: list[BatchItem]) -> Iterator[tuple[BatchHandler, list[BatchItem]]]:
        """The calls of one run. With one handler: the run. With several: wave by wave of
        distinct keys (`in_waves` on the event's key: its aggregate), each handler in
        registration order with the wave's events it handles. So every handler of an
        event sees the state the earlier handlers left for that aggregate and no later
        event's, as when the events are applied one by one (a hire is onboarded before
        the same batch's termination of that person is projected)."""
        handlers = {
            handler
            for _, envelope in run
            for handler in self.handlers_for(envelope.type)
            if handler not in self.independent
        }
        if len(handlers) == 1:
            yield handlers.pop(), run
            return
        ordered = sorted(handlers, key=self._order.__getitem__)
        for wave in in_waves(run, key=lambda item: item[0].key()):
            for handler in ordered:
                mine = [item for item in wave if handler in self.handlers_for(item[1].type)]
                if mine:
                    yield handler, mine

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
