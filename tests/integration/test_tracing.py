"""One trace from a GraphQL mutation to the consumer of its event (in-memory exporter).

People's real API takes a `createEmployee` mutation over HTTP (ASGI), its relay publishes
the outbox row to a real Tansu, learning's real consumer handles the event: the server
span of the mutation, the relay's publish span and the consumer's handling span share one
trace id and form a parent chain, and the API's /metrics and /readyz answer.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import create_engine, select

from talent_contracts import service_topic
from talent_devtools.testing import ServiceDatabaseFactory, wait_for
from talent_learning.config import LearningSettings
from talent_learning.db import messaging as learning_messaging
from talent_learning.people.consumers import registry
from talent_learning.people.models import EmployeeProjection
from talent_people.config import PeopleSettings
from talent_people.db import messaging as people_messaging
from talent_people.schema import schema
from talent_platform.app import create_service_app
from talent_platform.auth import issue_token
from talent_platform.db import sync_url
from talent_platform.events import EventConsumer, OutboxRelay
from talent_platform.observability.metrics import sample_values

ROOT = Path(__file__).parents[2]

HIRE = """
mutation($input: CreateEmployeeInput!) {
  createEmployee(input: $input) { __typename ... on EmployeePayload { employee { id } } }
}
"""


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """An SDK tracer provider with an in-memory exporter (installed once per process:
    OpenTelemetry's global provider cannot be replaced)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def _one(spans: list[ReadableSpan], kind: SpanKind, name_part: str) -> ReadableSpan:
    found = [s for s in spans if s.kind == kind and name_part in s.name]
    assert len(found) == 1, [(s.name, s.kind) for s in spans]
    return found[0]


async def test_one_trace_from_mutation_through_relay_to_consumer(
    service_database: ServiceDatabaseFactory,
    kafka_bootstrap: str,
    spans: InMemorySpanExporter,
) -> None:
    people_url = service_database("people_tracing", ROOT / "services/people/alembic.ini")
    learning_url = service_database("learning_tracing", ROOT / "services/learning/alembic.ini")
    prefix = f"trace{uuid.uuid4().hex[:6]}."
    people = PeopleSettings(
        environment="test",
        database_url=people_url,
        topic_prefix=prefix,
        kafka_bootstrap_servers=kafka_bootstrap,
    )
    learning = LearningSettings(
        environment="test",
        database_url=learning_url,
        topic_prefix=prefix,
        kafka_bootstrap_servers=kafka_bootstrap,
    )
    app = create_service_app(settings=people, schema=schema, title="people")
    token = issue_token(people, subject=str(uuid.uuid4()), roles=["admin", "employee"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://people"
    ) as client:
        response = await client.post(
            "/graphql",
            json={
                "query": HIRE,
                "variables": {
                    "input": {
                        "employeeNumber": "T1",
                        "name": "Tracy Trace",
                        "email": "tracy@example.com",
                        "hireDate": "2024-01-02",
                    }
                },
            },
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        result = response.json()["data"]["createEmployee"]
        assert result["__typename"] == "EmployeePayload", result
        employee_id = uuid.UUID(result["employee"]["id"])

        metrics = (await client.get("/metrics")).text
        backlog = sample_values(metrics, "talent_outbox_backlog")
        assert backlog == [({"service": "people"}, 1.0)]  # employee.hired, not yet published
        latency = sample_values(metrics, "talent_http_request_duration_seconds_count")
        assert (
            {"service": "people", "method": "POST", "route": "/graphql", "status": "200"},
            1.0,
        ) in latency
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text

    people_engine = create_engine(sync_url(people_url))
    learning_engine = create_engine(sync_url(learning_url))
    relay = OutboxRelay(people, engine=people_engine, outbox=people_messaging.outbox)
    consumer = EventConsumer(
        learning,
        engine=learning_engine,
        inbox=learning_messaging.inbox,
        registry=registry,
        topics=[prefix + service_topic("people")],
    )
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    try:
        assert relay.publish_pending() == 1
        thread.start()

        def projected() -> bool:
            with learning_engine.connect() as conn:
                return (
                    conn.execute(
                        select(EmployeeProjection.employee_id).where(
                            EmployeeProjection.employee_id == employee_id
                        )
                    ).first()
                    is not None
                )

        assert wait_for(projected)
        assert wait_for(lambda: consumer.stats.processed >= 1)
    finally:
        stop.set()
        thread.join(timeout=15)
        relay.publisher.close()
        people_engine.dispose()
        learning_engine.dispose()

    finished = list(spans.get_finished_spans())
    server = _one(finished, SpanKind.SERVER, "/graphql")
    publishes = [s for s in finished if s.kind == SpanKind.PRODUCER and "publish" in s.name]
    hired_publish = next(
        s
        for s in publishes
        if s.attributes
        and s.attributes.get("talent.event_type") == "talent.people.employee.hired.v1"
    )
    handled = [
        s
        for s in finished
        if s.kind == SpanKind.CONSUMER
        and s.attributes
        and s.attributes.get("talent.event_type") == "talent.people.employee.hired.v1"
    ]
    assert len(handled) == 1
    consumer_span = handled[0]
    assert server.context is not None and hired_publish.context is not None
    trace_id = server.context.trace_id
    assert hired_publish.context.trace_id == trace_id
    assert consumer_span.context is not None and consumer_span.context.trace_id == trace_id
    # The chain: the publish span descends from the mutation, the handling span is the
    # publish span's child (its traceparent came in the Kafka headers).
    assert hired_publish.parent is not None
    assert consumer_span.parent is not None
    assert consumer_span.parent.span_id == hired_publish.context.span_id
    ancestors = {s.context.span_id: s for s in finished if s.context is not None}
    parent = hired_publish.parent.span_id
    chain = []
    while parent in ancestors:
        chain.append(ancestors[parent].name)
        if parent == server.context.span_id:
            break
        nxt = ancestors[parent].parent
        parent = nxt.span_id if nxt is not None else 0
    assert parent == server.context.span_id, chain
    # SQL statements of the mutation are traced inside the same trace too.
    assert any(
        s.context is not None and s.context.trace_id == trace_id and s.kind == SpanKind.CLIENT
        for s in finished
    )
