"""What the development servers started as child processes (Tansu, the mail catcher)
share: used as context managers, and the tail of their log quoted in an error."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Final, Self

LOG_TAIL_CHARS: Final = 4000


class ChildServer:
    """A server in a child process: `start` and `stop` are the subclass's; output goes to
    `log_path` when it is set."""

    log_path: Path | None = None

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _log_tail(self) -> str:
        if self.log_path is None:
            return ""
        try:
            log = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return f"\n--- {self.log_path} (tail) ---\n{log[-LOG_TAIL_CHARS:]}"
