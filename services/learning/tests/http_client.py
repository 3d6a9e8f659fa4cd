"""The learning FastAPI app on the test's rolled-back connection, behind an httpx client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from talent_learning.config import LearningSettings
from talent_learning.http import install_routes
from talent_learning.schema import schema
from talent_platform.app import create_service_app
from talent_platform.auth import Principal, issue_token
from talent_platform.db.session import Database

SECRET = "test-secret-for-learning-http-routes-0123456789"
SETTINGS = LearningSettings(environment="test", jwt_secret=SECRET)


def token(principal: Principal) -> str:
    return issue_token(
        SETTINGS, subject=principal.subject, roles=[r.value for r in principal.roles]
    )


@asynccontextmanager
async def learning_client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    connection = session.bind
    assert isinstance(connection, AsyncConnection)
    database = Database(
        engine=connection.engine,
        sessions=async_sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
    )
    app = create_service_app(
        settings=SETTINGS,
        schema=schema,
        title="learning under test",
        database=database,
        configure=install_routes,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://learning") as client:
        yield client
