"""Generic repository: all SQL of a service lives in subclasses of this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_platform.errors import NotFound

M = TypeVar("M")


class Repository(Generic[M]):
    model: type[M]
    entity_name: str = "record"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_none(self, id: Any) -> M | None:
        return await self.session.get(self.model, id)

    async def get(self, id: Any) -> M:
        found = await self.get_or_none(id)
        if found is None:
            raise NotFound(self.entity_name, id)
        return found

    async def one_or_none(self, statement: Select[M]) -> M | None:
        return (await self.session.execute(statement)).scalars().one_or_none()

    async def list(self, statement: Select[M] | None = None) -> Sequence[M]:
        stmt = statement if statement is not None else select(self.model)
        return (await self.session.execute(stmt)).scalars().all()

    async def count(self, statement: Select[M]) -> int:
        counted = select(func.count()).select_from(statement.order_by(None).subquery())
        return int((await self.session.execute(counted)).scalar_one())

    async def paginate(
        self, statement: Select[M], *, offset: int, limit: int
    ) -> tuple[Sequence[M], int]:
        """One page of `statement` (which must be ordered) and the total count."""
        total = await self.count(statement)
        rows = (await self.session.execute(statement.offset(offset).limit(limit))).scalars().all()
        return rows, total

    def add(self, instance: M) -> M:
        self.session.add(instance)
        return instance

    async def create(self, instance: M, *, flush: bool = True) -> M:
        self.session.add(instance)
        if flush:
            await self.session.flush()
        return instance

    async def update(self, instance: M, values: dict[str, Any], *, flush: bool = True) -> M:
        for name, value in values.items():
            setattr(instance, name, value)
        if flush:
            await self.session.flush()
        return instance
