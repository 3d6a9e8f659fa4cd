"""The FastAPI application every service runs: `/graphql`, `/healthz` (the process
answers), `/readyz` (its database answers) and `/metrics` (Prometheus).

Every GraphQL request needs a valid bearer token (checked again here although the
gateway checked it: subgraphs trust no network); with `require_gateway_secret` the
request must also carry the gateway's shared secret header. Requests are traced
(OpenTelemetry FastAPI and SQLAlchemy instrumentation; exported only when configured).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import strawberry
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.fastapi import GraphQLRouter
from strawberry.http.streaming import MultipartSubscriptionTransport, SSETransport
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, MULTIPART_SUBSCRIPTION_PROTOCOL

from talent_platform.auth import AuthenticationError, AuthenticationUnavailable, TokenVerifier
from talent_platform.db.session import Database, create_async_database
from talent_platform.graphql.context import TalentContext
from talent_platform.graphql.session import SerialisedSession
from talent_platform.logging import configure_logging
from talent_platform.observability.metrics import ApiMetrics, ScrapeGauge
from talent_platform.observability.tracing import configure_tracing
from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

GATEWAY_SECRET_HEADER = "x-talent-gateway-secret"


class LineFeedSSETransport(SSETransport):
    """Server-Sent Events with LF line ends. Strawberry ends lines with CRLF, which the
    SSE spec allows, but the gateway's subgraph client (`@graphql-tools/executor-http`
    3.4) finds events only at a blank line written as LF LF, so with CRLF no event ever
    reached a client through the gateway."""

    def encode_event(self, event: str, data: str | None = None) -> str:
        return super().encode_event(event, data).replace("\r\n", "\n")

    def encode_comment(self, comment: str) -> str:
        return super().encode_comment(comment).replace("\r\n", "\n")


class TalentGraphQLRouter(GraphQLRouter[TalentContext, None]):
    stream_transport_classes_by_protocol = {
        MULTIPART_SUBSCRIPTION_PROTOCOL: MultipartSubscriptionTransport,
        GRAPHQL_SSE_PROTOCOL: LineFeedSSETransport,
    }


def create_service_app(
    *,
    settings: ServiceSettings,
    schema: strawberry.federation.Schema,
    title: str,
    database: Database | None = None,
    configure: Callable[[FastAPI, Database], None] | None = None,
    scrape_gauges: Sequence[ScrapeGauge] = (),
) -> FastAPI:
    """`scrape_gauges`: extra gauges read from the database at each `/metrics` scrape."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings, process="api")
    db = database or create_async_database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        session_class=SerialisedSession,
    )
    verifier = TokenVerifier(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Imports leave ~200,000 long-lived objects; frozen, the collector's full passes
        # (every few requests, ~100 ms each) skip them instead of walking them again.
        gc.collect()
        gc.freeze()
        yield
        await db.dispose()

    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.database = db
    app.state.settings = settings
    metrics = ApiMetrics(settings.service_name, scrape_gauges)
    app.state.metrics = metrics

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
                status_code=401, detail=str(exc), headers={"WWW-Authenticate": exc.challenge}
            ) from exc
        except AuthenticationUnavailable as exc:
            log.warning("token keys unavailable: %s", exc)
            raise HTTPException(
                status_code=503, detail="Authentication is unavailable; try again shortly"
            ) from exc
        return TalentContext(principal=principal, settings=settings, sessions=db.sessions)

    router = TalentGraphQLRouter(
        schema,
        context_getter=context_getter,
        graphql_ide="graphiql" if settings.environment == "dev" else None,
        multipart_uploads_enabled=False,
        # Subscriptions (a schema that has them) over GraphQL over Server-Sent Events,
        # which is how the gateway forwards them to subgraphs (an HTTP request with
        # `Accept: text/event-stream`, through the same token and gateway-secret checks
        # as any request); no WebSockets.
        subscription_protocols=(GRAPHQL_SSE_PROTOCOL,),
    )
    app.include_router(router, prefix="/graphql")

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        # The route template, never the raw path (unbounded label values); the GraphQL
        # router is mounted with an empty path of its own.
        route = request.scope.get("route")
        template = "unmatched" if route is None else (getattr(route, "path", "") or "/graphql")
        metrics.observe(request.method, template, response.status_code, elapsed)
        if request.url.path not in ("/healthz", "/readyz", "/metrics"):
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        # Only the database: the API never talks to Kafka (the worker publishes and
        # consumes, and reports the broker in its own health), so a broker outage must
        # not take reads out of rotation.
        try:
            await asyncio.wait_for(db.ping(), timeout=5)
        except Exception:
            log.warning("readiness: the database does not answer", exc_info=True)
            return JSONResponse(
                {"status": "unavailable", "database": "not answering"}, status_code=503
            )
        return JSONResponse({"status": "ready", "service": settings.service_name})

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        await metrics.refresh(db)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    if configure is not None:
        configure(app, db)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    return app
