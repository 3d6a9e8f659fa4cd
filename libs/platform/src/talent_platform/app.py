"""The FastAPI application every service runs: `/graphql`, `/healthz`, `/readyz`.

Every GraphQL request needs a valid bearer token (checked again here although the
gateway checked it: subgraphs trust no network); with `require_gateway_secret` the
request must also carry the gateway's shared secret header.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import strawberry
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from talent_platform.auth import AuthenticationError, TokenVerifier
from talent_platform.db.session import Database, create_async_database
from talent_platform.graphql.context import TalentContext
from talent_platform.graphql.session import SerialisedSession
from talent_platform.logging import configure_logging
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

GATEWAY_SECRET_HEADER = "x-talent-gateway-secret"


def create_service_app(
    *,
    settings: ServiceSettings,
    schema: strawberry.federation.Schema,
    title: str,
    database: Database | None = None,
    configure: Callable[[FastAPI, Database], None] | None = None,
) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level)
    db = database or create_async_database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        session_class=SerialisedSession,
    )
    verifier = TokenVerifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await db.dispose()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.database = db
    app.state.settings = settings

    async def context_getter(request: Request) -> TalentContext:
        if settings.require_gateway_secret:
            sent = request.headers.get(GATEWAY_SECRET_HEADER, "")
            if not settings.gateway_secret or not hmac.compare_digest(
                sent, settings.gateway_secret
            ):
                raise HTTPException(
                    status_code=401, detail="requests must come through the gateway"
                )
        try:
            principal = verifier.from_header(request.headers.get("authorization"))
        except AuthenticationError as exc:
            raise HTTPException(
                status_code=401, detail=str(exc), headers={"WWW-Authenticate": "Bearer"}
            ) from exc
        return TalentContext(principal=principal, settings=settings, sessions=db.sessions)

    router: GraphQLRouter[TalentContext, None] = GraphQLRouter(
        schema,
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.environment == "dev" else None,
        multipart_uploads_enabled=False,
    )
    app.include_router(router, prefix="/graphql")

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        if request.url.path not in ("/healthz", "/readyz"):
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        try:
            await db.ping()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "database": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "service": settings.service_name})

    if configure is not None:
        configure(app, db)
    return app
