"""Replay after the dev stack's broker restarted, so its lost events reach the consumers.

Tansu keeps everything in memory: a broker that crashed and was restarted (supervisor.py)
comes back without topics, records or consumer offsets, and every event it held but a
consumer had not yet applied would be lost to that consumer. The outboxes are the
durable record, so:

- just before the broker starts, each service database's clock (`now()`) is noted: every
  outbox row the relay marks sent from then on went to that broker instance (a row's
  `sent_at` is set after the broker acknowledged it, by the same clock);
- once a restarted broker answers, each service republishes the rows it sent since the
  lost instance started (`replay_outbox(sent_since=...)`), with their original ids.

That is everything the lost broker held, so everything published but not yet consumed;
consumers skip what they had already applied by their inbox. If the broker is lost again
before a replay finished, the next replay starts from the older instance's start. Not
covered: a broker lost again after a replay finished but before the consumers applied
what it republished (the next replay starts at the newer instance's start); run
`talent events replay --service S --since T` then.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import NullPool, create_engine, text

from talent_cli.dev.model import RunningService, Stack
from talent_cli.dev.supervisor import Hooks
from talent_devtools.broker import BrokerError, wait_until_ready
from talent_platform.db.session import sync_url
from talent_platform.events import replay_outbox

Clocks = dict[str, dt.datetime | None]
"""Per service, a moment by its database's clock; None: unknown (replay everything)."""

BROKER = "broker"


class BrokerLossReplay:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._lock = threading.Lock()
        self._replaying = threading.Lock()
        self._generation = 0
        self._held_since: Clocks | None = None
        """Start of the running broker instance."""
        self._lost_since: Clocks | None = None
        """Start of the oldest lost instance whose events are not yet replayed."""

    def hooks(self) -> Hooks:
        return Hooks(
            on_start={BROKER: self.broker_starting},
            on_restarted={BROKER: self.broker_restarted},
        )

    def broker_starting(self) -> None:
        clocks = {service.spec.name: _clock(service) for service in self.stack.services}
        with self._lock:
            self._generation += 1
            if self._held_since is not None:
                self._lost_since = _earliest(self._lost_since, self._held_since)
            self._held_since = clocks

    def broker_restarted(self, pid: int) -> None:
        with self._replaying:
            with self._lock:
                generation, lost = self._generation, self._lost_since
            if lost is None or self.stack.shutdown.is_set():
                return
            say = self.stack.say
            try:
                wait_until_ready(self.stack.broker, timeout=60)
            except BrokerError as exc:
                say(f"replay after the broker restart: {exc}; waiting for its next start")
                return
            say(
                "the broker restarted and lost the events it held (memory storage): "
                "republishing from each service's outbox what it had sent to the lost broker"
            )
            started = time.perf_counter()
            total = 0
            for service in self.stack.services:
                since = lost.get(service.spec.name)
                try:
                    sent = self._replay(service, since)
                except Exception as exc:  # the broker went away again, say: retried then
                    say(f"{service.spec.name}: replay failed ({type(exc).__name__}: {exc})")
                    return
                total += sent
                when = f"sent since {since.isoformat()}" if since else "all history"
                say(f"{service.spec.name}: republished {sent} events ({when})")
            with self._lock:
                if self._generation == generation:
                    self._lost_since = None
            say(
                f"replay done: {total} events in {time.perf_counter() - started:.1f} s; "
                "consumers skip those they had already applied"
            )

    def _replay(self, service: RunningService, since: dt.datetime | None) -> int:
        settings = service.spec.settings(
            database_url=service.database_url, kafka_bootstrap_servers=self.stack.broker
        )
        engine = create_engine(sync_url(service.database_url), poolclass=NullPool)
        try:
            return replay_outbox(
                settings, engine=engine, outbox=service.spec.messaging().outbox, sent_since=since
            )
        finally:
            engine.dispose()


def _clock(service: RunningService) -> dt.datetime | None:
    engine = create_engine(
        sync_url(service.database_url), poolclass=NullPool, connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as conn:
            moment: dt.datetime = conn.execute(text("SELECT now()")).scalar_one()
            return moment
    except Exception:  # unknown: the replay then republishes the service's whole history
        return None
    finally:
        engine.dispose()


def _earliest(a: Clocks | None, b: Clocks) -> Clocks:
    if a is None:
        return dict(b)
    earliest: Clocks = {}
    for name in a.keys() | b.keys():
        x, y = a.get(name), b.get(name)
        earliest[name] = None if x is None or y is None else min(x, y)
    return earliest
