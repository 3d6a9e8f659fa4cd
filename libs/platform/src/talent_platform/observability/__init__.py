"""Observability shared by every service: OpenTelemetry tracing, Prometheus metrics, and
the worker's small HTTP endpoint (`/metrics`, `/healthz`)."""

from talent_platform.observability.metrics import ScrapeGauge
from talent_platform.observability.tracing import configure_tracing, tracer

__all__ = ["ScrapeGauge", "configure_tracing", "tracer"]
