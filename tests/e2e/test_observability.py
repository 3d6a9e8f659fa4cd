"""Health and metrics endpoints of the running stack (`talent dev up`): every service's API
and worker, and the gateway's own metrics per subgraph."""

from __future__ import annotations

import httpx
import pytest

from talent_platform.observability.metrics import sample_values

from .conftest import Stack, wait_until

pytestmark = pytest.mark.e2e


def scrape(url: str) -> str:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.text


def total(text: str, name: str) -> float:
    return sum(value for _, value in sample_values(text, name))


def test_every_service_reports_health_and_drained_outbox_and_lag(stack: Stack) -> None:
    services = stack.info["services"]
    assert {"people", "learning"} <= set(services)
    for name, service in services.items():
        base = service["url"].removesuffix("/graphql")
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        worker_health = service["worker_metrics"].removesuffix("/metrics") + "/healthz"
        assert httpx.get(worker_health, timeout=10).status_code == 200
        # The demo organisation's events are all published and consumed.
        wait_until(lambda s=service: total(scrape(s["metrics"]), "talent_outbox_backlog") == 0)
        wait_until(lambda s=service: total(scrape(s["worker_metrics"]), "talent_consumer_lag") == 0)
        worker = scrape(service["worker_metrics"])
        assert total(worker, "talent_metrics_scrape_errors") == 0, name
        assert total(worker, "talent_relay_leading") == 1, name
    learning = scrape(services["learning"]["worker_metrics"])
    assert total(learning, "talent_consumer_records_total") > 0
    waiting = sample_values(learning, "talent_dlq_messages")
    # One gauge per DLQ of a topic learning consumes (people's, and succession's).
    assert all(labels["service"] == "learning" for labels, _ in waiting)
    assert {labels["topic"] for labels, _ in waiting} == {
        "talent.people.v1.dlq",
        "talent.succession.v1.dlq",
    }
    # The operations commands find the stack's broker through dev.json.
    listed = stack.talent("events", "dlq", "list", "--service", "learning")
    dry_run = stack.talent("events", "dlq", "redrive", "--service", "learning", "--dry-run")
    if sum(value for _, value in waiting) == 0:
        assert "learning: would resend 0 dead letters" in dry_run.stdout
        assert "no dead letters waiting" in listed.stdout
    else:
        assert "learning: would resend" in dry_run.stdout


def test_gateway_reports_per_subgraph_metrics_and_health(stack: Stack) -> None:
    gateway = stack.gateway.removesuffix("/graphql")
    assert httpx.get(f"{gateway}/healthcheck", timeout=10).status_code == 200
    assert httpx.get(f"{gateway}/readiness", timeout=10).status_code == 200
    stack.query(stack.tokens["manager"], "{ me { name completions(first: 1) { totalCount } } }")
    metrics = scrape(f"{gateway}/metrics")
    subgraphs = {
        labels.get("subgraphName")
        for labels, _ in sample_values(metrics, "graphql_gateway_subgraph_execute_duration_count")
    }
    assert {"people", "learning"} <= subgraphs
    api = scrape(stack.info["services"]["people"]["metrics"])
    requests = sample_values(api, "talent_http_request_duration_seconds_count")
    assert any(labels["route"] == "/graphql" and value > 0 for labels, value in requests)
