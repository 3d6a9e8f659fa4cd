"""An AsyncSession safe to share between concurrently resolved GraphQL fields.

Strawberry resolves sibling fields concurrently, and an AsyncSession must never run
two operations at once; this subclass serialises its I/O with one asyncio lock, so
every resolver and DataLoader of a request can use the request's single transaction.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def _serialised(method: F) -> F:
    @functools.wraps(method)
    async def wrapper(self: SerialisedSession, *args: Any, **kwargs: Any) -> Any:
        async with self._io_lock:
            return await method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class SerialisedSession(AsyncSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._io_lock = asyncio.Lock()

    # Wrapping loses the overloads' precision; callers see AsyncSession's own signatures.
    execute = _serialised(AsyncSession.execute)
    scalar = _serialised(AsyncSession.scalar)  # type: ignore[assignment, arg-type]
    get = _serialised(AsyncSession.get)
    get_one = _serialised(AsyncSession.get_one)
    flush = _serialised(AsyncSession.flush)
    refresh = _serialised(AsyncSession.refresh)
    merge = _serialised(AsyncSession.merge)
    delete = _serialised(AsyncSession.delete)
    commit = _serialised(AsyncSession.commit)
    rollback = _serialised(AsyncSession.rollback)
    close = _serialised(AsyncSession.close)
    run_sync = _serialised(AsyncSession.run_sync)
