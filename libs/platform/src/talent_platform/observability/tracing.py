"""OpenTelemetry tracing: one trace from a GraphQL mutation to the consumer of its event.

The request span comes from the FastAPI instrumentation, SQL spans from the SQLAlchemy
instrumentation. When a mutation writes an outbox row, the current context is stored in
the row's headers as a W3C `traceparent`; the relay starts its publish span as a child of
it and sends the publish span's `traceparent` in the Kafka headers; the consumer starts
its handling span from those headers. Spans are exported over OTLP/HTTP only when
`otlp_endpoint` is configured: by default the global provider stays the API's no-op one,
so tracing costs next to nothing and nothing leaves the process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Tracer

from talent_platform.settings import ServiceSettings

log = logging.getLogger(__name__)

TRACER_NAME = "talent_platform"
_configured = threading.Lock()
_sqlalchemy_done = False


def tracer() -> Tracer:
    return trace.get_tracer(TRACER_NAME)


def configure_tracing(settings: ServiceSettings, *, process: str) -> None:
    """Install an exporting tracer provider when `otlp_endpoint` is set (once per process);
    instrument SQLAlchemy engines created from now on. Safe to call more than once."""
    instrument_sqlalchemy()
    if not settings.otlp_endpoint:
        return
    with _configured:
        current = trace.get_tracer_provider()
        if type(current).__module__.startswith("opentelemetry.sdk"):
            return  # a provider is already installed (an earlier call, or a test)
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBasedTraceIdRatio

        provider = TracerProvider(
            resource=Resource.create(
                {
                    "service.name": f"talent-{settings.service_name}",
                    "service.namespace": "talent",
                    "talent.process": process,
                    "deployment.environment": settings.environment,
                }
            ),
            sampler=ParentBasedTraceIdRatio(settings.otlp_sample_ratio),
        )
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(settings.otlp_endpoint)))
        )
        trace.set_tracer_provider(provider)
        log.info("exporting traces", extra={"otlp_endpoint": settings.otlp_endpoint})


def _traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"


def instrument_sqlalchemy() -> None:
    """Trace every SQLAlchemy engine created after this call (sync and async)."""
    global _sqlalchemy_done
    if _sqlalchemy_done:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        # The instrumentation declares SQLAlchemy < 2.1 and refuses 2.1 otherwise; it only
        # hooks engine creation and cursor execution events, which 2.1 still has (the
        # tracing test checks that SQL spans appear).
        instrumentor.instrument(skip_dep_check=True)
    _sqlalchemy_done = True


def current_trace_headers() -> dict[str, str]:
    """The current context as W3C headers (`traceparent`, maybe `tracestate`); empty when
    no span is recording a sampled trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from_headers(headers: Mapping[str, str]) -> otel_context.Context:
    return propagate.extract(dict(headers))


@contextmanager
def span_from_headers(
    name: str,
    headers: Mapping[str, str],
    *,
    kind: SpanKind,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[Span]:
    """A span whose parent is the context carried in `headers` (or a new trace)."""
    with tracer().start_as_current_span(
        name,
        context=context_from_headers(headers),
        kind=kind,
        attributes=dict(attributes or {}),
    ) as span:
        yield span


def inject_into(headers: MutableMapping[str, str]) -> None:
    """Replace any trace headers with the current span's context."""
    headers.pop("traceparent", None)
    headers.pop("tracestate", None)
    propagate.inject(headers)


class TraceIdFilter(logging.Filter):
    """Adds `trace_id` and `span_id` to log records emitted inside a recording span."""

    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        return True


# A batch span keeps links to this many records' contexts at most.
MAX_SPAN_LINKS = 128


@contextmanager
def span_linked_to(
    name: str,
    headers: Sequence[Mapping[str, str]],
    *,
    kind: SpanKind,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[Span]:
    """A span of work on several messages: a new trace (under the current context) with a
    link to each message's context (the first MAX_SPAN_LINKS that carry one), as the
    OpenTelemetry messaging conventions describe batch processing."""
    links: list[trace.Link] = []
    for carried in headers:
        if len(links) == MAX_SPAN_LINKS:
            break
        context = trace.get_current_span(context_from_headers(carried)).get_span_context()
        if context.is_valid:
            links.append(trace.Link(context))
    with tracer().start_as_current_span(
        name, kind=kind, links=links, attributes=dict(attributes or {})
    ) as span:
        yield span
