"""The per-request GraphQL context: principal, one transaction, DataLoaders."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.fastapi import BaseContext
from strawberry.types.graphql import OperationType

from talent_platform.auth import Principal
from talent_platform.graphql.schema import error_code
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TalentContext(BaseContext):
    """Built once per request. The session is opened on first use and committed (or
    rolled back when the operation has errors) by `TransactionExtension`."""

    def __init__(
        self,
        *,
        principal: Principal,
        settings: ServiceSettings,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        super().__init__()
        self.principal = principal
        self.settings = settings
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._owns_session = True
        self._loaders: dict[str, DataLoader[Any, Any]] = {}

    @classmethod
    def with_session(
        cls, session: AsyncSession, *, principal: Principal, settings: ServiceSettings
    ) -> TalentContext:
        """A context on a session the caller owns (the CLI, tests): `finish` commits or
        rolls back but leaves the session open."""
        context = cls(principal=principal, settings=settings, sessions=async_sessionmaker())
        context._session = session
        context._owns_session = False
        return context

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Makes sessions the caller owns: for work outside the request's transaction (a
        subscription reads in short sessions of its own, one per event)."""
        return self._sessions

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessions()
        return self._session

    def loader(
        self, name: str, load: Callable[[list[K]], Awaitable[Sequence[V]]]
    ) -> DataLoader[K, V]:
        """The request's DataLoader called `name`, created on first use: every
        cross-row field goes through one, so a page of N rows costs one query, not N."""
        found = self._loaders.get(name)
        if found is None:
            found = DataLoader(load_fn=load)
            self._loaders[name] = found
        return found

    def past_deadline(self) -> bool:
        """Whether the gateway has given up on this request: its `x-talent-deadline`
        header (Unix seconds) has passed."""
        request = getattr(self, "request", None)
        raw = request.headers.get("x-talent-deadline") if request is not None else None
        if not raw:
            return False
        try:
            return time.time() > float(raw)
        except ValueError:
            return False

    async def finish(self, *, success: bool) -> None:
        """Commit after a clean operation, else roll back; also roll back one the gateway
        gave up on (past its deadline), so an abandoned mutation is not applied later."""
        if self._session is None:
            return
        if success and self.past_deadline():
            log.warning("request past its deadline; rolled back")
            success = False
        try:
            if success:
                await self._session.commit()
            else:
                await self._session.rollback()
        finally:
            if self._owns_session:
                await self._session.close()
                self._session = None


# Errors that answer the caller (a refused or missing read, a bad argument), not faults.
CALLER_ERRORS = frozenset({"BAD_USER_INPUT", "FORBIDDEN", "NOT_FOUND", "CONFLICT"})


class TransactionExtension(SchemaExtension):
    """The request owns the transaction: commit after a clean operation, else roll back.

    A query whose only errors are the caller's (a field refused with FORBIDDEN, say) is
    clean too: what it wrote is the audit trail of what it did serve, which must not be
    lost because a sibling field was refused. A mutation with any error in `errors`, or
    any operation with an internal error, is rolled back."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, TalentContext):
            result = self.execution_context.result
            errors = getattr(result, "errors", None) if result is not None else None
            await context.finish(success=self._clean(errors or []))

    def _clean(self, errors: Sequence[Any]) -> bool:
        if not errors:
            return True
        if self.execution_context.operation_type is not OperationType.QUERY:
            return False
        return all(
            ((e.extensions or {}).get("code") or error_code(e)) in CALLER_ERRORS for e in errors
        )
