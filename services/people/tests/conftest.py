from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from talent_devtools.testing import ServiceDatabaseFactory
from talent_devtools.testing.graphql import ErrorAt, execute_refusable
from talent_people.config import PeopleSettings
from talent_people.db import messaging
from talent_people.schema import schema
from talent_platform.auth import Principal, Role
from talent_platform.graphql import TalentContext

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def service_database_url(service_database: ServiceDatabaseFactory) -> str:
    """The people database; `engine` and `session` come from the talent pytest plugin."""
    return service_database("people", ALEMBIC_INI)


ADMIN = Principal(subject="admin", employee_id=None, roles=frozenset({Role.ADMIN}))


class Api:
    """Runs operations through the real subgraph schema on the test's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.settings = PeopleSettings(environment="test")

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: Principal = ADMIN
    ) -> dict[str, Any]:
        context = TalentContext.with_session(self.session, principal=as_, settings=self.settings)
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: Principal = ADMIN
    ) -> list[str]:
        context = TalentContext.with_session(self.session, principal=as_, settings=self.settings)
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert result.errors, "expected GraphQL errors"
        return [e.message for e in result.errors]

    async def refused(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: Principal = ADMIN
    ) -> tuple[dict[str, Any], list[ErrorAt]]:
        """Run an operation that may be refused in places (see `execute_refusable`)."""
        context = TalentContext.with_session(self.session, principal=as_, settings=self.settings)
        return await execute_refusable(schema, context, query, variables)

    async def outbox_types(self) -> list[str]:
        rows = await self.session.execute(
            select(messaging.outbox.c.event_type).order_by(messaging.outbox.c.id)
        )
        return list(rows.scalars().all())

    async def outbox_count(self) -> int:
        return int(
            (
                await self.session.execute(select(func.count()).select_from(messaging.outbox))
            ).scalar_one()
        )


@pytest.fixture
def api(session: AsyncSession) -> Api:
    return Api(session)


def employee_principal(employee_id: str, *roles: Role) -> Principal:
    return Principal(
        subject=employee_id,
        employee_id=uuid.UUID(employee_id),
        roles=frozenset({Role.EMPLOYEE, *roles}),
    )


EMPLOYEES_CSV_HEADER = (
    "employee_id,name,email,hire_date,job_profile_code,org_unit,location,manager_id,status\n"
)
