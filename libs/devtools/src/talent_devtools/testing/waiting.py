from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(
    condition: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.05
) -> bool:
    """Poll `condition` until it is truthy or `timeout` seconds pass; the last answer.

    For asynchronous effects (events reaching a consumer); never a timing assertion.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
