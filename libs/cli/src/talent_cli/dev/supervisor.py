"""The process supervisor of `talent dev up`: honcho's output multiplexing, without its
rule that one process exiting stops all the others.

A process that exits while the stack runs (a worker after too many consecutive failures,
the broker killed) is started again after a backoff: 1 s, doubling up to 30 s for a
process that keeps crashing, back to 1 s once it ran for a minute. Every exit and
restart is printed. `on_start` hooks run before a process is (re)started, `on_restarted`
hooks on their own thread once it has started again (the broker's: replay what it lost,
recovery.py). Only Ctrl-C or SIGTERM (or a failed bring-up, which sends SIGTERM) stops
everything.

As in honcho, each process has a runner process of its own (forked) that reads its
output into the event queue. Runners on threads of this process instead would share one
interpreter lock with the bring-up thread's seeding, and children then block on full
output pipes (measured: the recommender fell behind in the end-to-end tests). A runner
does nothing but start its child and forward lines, so forking it while other threads
of this process run is safe (logging re-creates its locks after a fork).
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from honcho.manager import KILL_WAIT, SIGNALS, Manager
from honcho.printer import Printer

RESTART_BACKOFF_MIN_S = 1.0
RESTART_BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0
"""A process that ran this long before exiting is restarted after the minimum backoff."""


@dataclass
class _Supervised:
    restarts: int = 0
    backoff_s: float = RESTART_BACKOFF_MIN_S
    started_at: float = 0.0
    restart_at: float | None = None
    runner: multiprocessing.Process | None = None


@dataclass
class Hooks:
    on_start: dict[str, Callable[[], None]] = field(default_factory=dict)
    """Run on the supervisor's thread just before the named process starts (every time)."""
    on_restarted: dict[str, Callable[[int], None]] = field(default_factory=dict)
    """Run on a thread of its own after the named process started again (its pid)."""


class Supervisor(Manager):  # type: ignore[misc]
    def __init__(self, printer: Printer, hooks: Hooks | None = None) -> None:
        super().__init__(printer)
        self.hooks = hooks or Hooks()
        self._supervised: dict[str, _Supervised] = {}

    def loop(self) -> None:
        """Run every added process until SIGINT or SIGTERM; restart those that exit."""

        def terminate(signum: int, frame: FrameType | None) -> None:
            self._system_print(f"{SIGNALS[signum]['name']} received\n")
            self.returncode = SIGNALS[signum]["rc"]
            self.terminate()

        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, terminate)
        for name in self._processes:
            self._supervised[name] = _Supervised()
            self._run(name)
        kill_at: float | None = None
        while True:
            try:
                message = self.events.get(timeout=0.1)
            except queue.Empty:
                message = None
            if message is not None:
                self._handle(message)
            if self._terminating:
                if self._all_exited():
                    return
                if kill_at is None:
                    kill_at = time.monotonic() + KILL_WAIT
                elif time.monotonic() > kill_at:
                    self.kill()
                    kill_at = float("inf")
                continue
            now = time.monotonic()
            for name, supervised in self._supervised.items():
                if supervised.restart_at is not None and now >= supervised.restart_at:
                    supervised.restart_at = None
                    supervised.restarts += 1
                    self._system_print(f"restarting {name} (restart {supervised.restarts})\n")
                    self._run(name)

    def _run(self, name: str) -> None:
        hook = self.hooks.on_start.get(name)
        if hook is not None:
            hook()
        entry = self._processes[name]
        entry.pop("pid", None)
        entry.pop("returncode", None)
        supervised = self._supervised[name]
        supervised.started_at = time.monotonic()
        # The runner ignores SIGINT and SIGTERM (Ctrl-C reaches the whole foreground
        # process group): it ends when its child does, which `terminate` sees to.
        supervised.runner = multiprocessing.Process(
            target=entry["obj"].run, args=(self.events, True), name=name
        )
        supervised.runner.start()

    def _handle(self, message: Any) -> None:
        name = message.name
        if message.type == "line":
            self._printer.write(message)
        elif message.type == "start":
            self._processes[name]["pid"] = message.data["pid"]
            self._system_print(f"{name} started (pid={message.data['pid']})\n")
            if self._terminating:  # started while everything stops: stop it too
                self._procmgr.terminate(message.data["pid"])
            elif self._supervised[name].restarts:
                hook = self.hooks.on_restarted.get(name)
                if hook is not None:
                    threading.Thread(
                        target=hook,
                        args=(message.data["pid"],),
                        name=f"restarted-{name}",
                        daemon=True,
                    ).start()
        elif message.type == "stop":
            code = message.data["returncode"]
            self._processes[name]["returncode"] = code
            if self._terminating:
                self._system_print(f"{name} stopped (rc={code})\n")
                return
            supervised = self._supervised[name]
            if time.monotonic() - supervised.started_at >= STABLE_AFTER_S:
                supervised.backoff_s = RESTART_BACKOFF_MIN_S
            delay = supervised.backoff_s
            supervised.backoff_s = min(delay * 2, RESTART_BACKOFF_MAX_S)
            supervised.restart_at = time.monotonic() + delay
            self._system_print(
                f"{name} exited on its own (rc={code}); the rest keeps running, "
                f"restarting it in {delay:.0f} s\n"
            )

    def _all_exited(self) -> bool:
        """Every process has exited, or never got to start (a pending restart)."""
        for name, entry in self._processes.items():
            runner = self._supervised[name].runner
            if "returncode" not in entry and runner is not None and runner.is_alive():
                return False
        return True

    def _killall(self, force: bool = False) -> None:
        for name, entry in self._processes.items():
            if "returncode" in entry or "pid" not in entry:
                continue
            signame = "SIGKILL" if force else "SIGTERM"
            self._system_print(f"sending {signame} to {name} (pid {entry['pid']})\n")
            if force:
                self._procmgr.kill(entry["pid"])
            else:
                self._procmgr.terminate(entry["pid"])
