"""Periodic jobs: work a worker repeats on a timer (sweeps, refits), declared by the
service (`Worker(periodic=[...])`) instead of written as a loop of its own, so every job
gets the same thread, stop, failure handling, liveness and metrics.

A job runs when the worker starts and then `interval_s` after each run ends (a slow run
delays the next one, runs never overlap). A run that raises is logged and the job runs
again at the next interval: the thread only ends when the worker stops.

Every replica of a worker declares the same jobs. A job declared `in_transaction` runs
on one replica at a time: its transaction first tries a transaction-level advisory lock
on the job's name and skips the run when another replica holds it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

LOCK_CLASS = 7_002
"""First key of the advisory locks of periodic jobs (the second is the name's hash)."""


@dataclass(frozen=True)
class PeriodicJob:
    """`run` gets the worker's engine and opens its own transactions; most jobs are one
    transaction and are declared with `PeriodicJob.in_transaction`."""

    name: str
    interval_s: float
    run: Callable[[Engine], object]

    @classmethod
    def in_transaction(
        cls, name: str, interval_s: float, work: Callable[[Session], object]
    ) -> PeriodicJob:
        """A job whose every run is one transaction: committed when `work` returns, rolled
        back when it raises (so a failed run leaves nothing half done). While one replica
        runs it, the others skip their runs (`work` is not called)."""

        def run(engine: Engine) -> object:
            with Session(engine) as session, session.begin():
                if not session.scalar(
                    select(func.pg_try_advisory_xact_lock(LOCK_CLASS, func.hashtext(name)))
                ):
                    log.info("periodic job running elsewhere; skipped", extra={"job": name})
                    return None
                return work(session)

        return cls(name, interval_s, run)


class RunningJob:
    """One declared job on its thread, with what `/metrics` and `/healthz` report."""

    def __init__(self, job: PeriodicJob, *, engine: Engine) -> None:
        self.job = job
        self.engine = engine
        self.failures = 0
        self.last_success: float | None = None
        """Unix time the last successful run ended; None before the first."""
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, stop: threading.Event) -> None:
        self._thread = threading.Thread(
            target=self._loop, args=(stop,), name=f"job-{self.job.name}", daemon=True
        )
        self._thread.start()

    def join(self, timeout: float) -> None:
        """Wait for a run in progress to end (the job was stopped with the worker's stop
        event); a run still going after `timeout` is left to end with the process."""
        if self._thread is None:
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("periodic job still running at exit", extra={"job": self.job.name})

    def run_once(self) -> bool:
        """One run; a failure is logged and counted, never raised."""
        try:
            self.job.run(self.engine)
        except Exception:
            self.failures += 1
            log.exception(
                "periodic job failed; retrying at the next interval",
                extra={"job": self.job.name},
            )
            return False
        self.last_success = time.time()
        return True

    def _loop(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                self.run_once()
                stop.wait(self.job.interval_s)
        finally:
            if not stop.is_set():
                # Only a BaseException (SystemExit, say) gets here; /healthz turns 503.
                log.error("periodic job thread ended", extra={"job": self.job.name})
