"""A service's API /metrics with a ScrapeGauge (the hook the recommender's model age
uses) and /readyz, which follows the database only (not the broker)."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import text

from talent_devtools.ports import free_port
from talent_devtools.testing import ServiceDatabaseFactory
from talent_people.config import PeopleSettings
from talent_people.schema import schema
from talent_platform.app import create_service_app
from talent_platform.db.session import Database
from talent_platform.observability import ScrapeGauge
from talent_platform.observability.metrics import sample_values

ROOT = Path(__file__).parents[2]


async def model_age(database: Database) -> float | None:
    async with database.engine.connect() as conn:
        age = await conn.scalar(
            text("SELECT extract(epoch FROM now() - (now() - interval '90 seconds'))")
        )
    return float(age) if age is not None else None


async def no_model(database: Database) -> float | None:
    return None


async def test_scrape_gauges_and_readiness(
    service_database: ServiceDatabaseFactory, kafka_bootstrap: str
) -> None:
    url = service_database("people_api_metrics", ROOT / "services/people/alembic.ini")
    settings = PeopleSettings(
        environment="test", database_url=url, kafka_bootstrap_servers=kafka_bootstrap
    )
    app = create_service_app(
        settings=settings,
        schema=schema,
        title="people",
        scrape_gauges=[
            ScrapeGauge("talent_model_age_seconds", "Age of the active model.", model_age),
            ScrapeGauge("talent_other_model_age_seconds", "Not trained yet.", no_model),
        ],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://people"
    ) as client:
        metrics = (await client.get("/metrics")).text
        assert sample_values(metrics, "talent_model_age_seconds") == [({"service": "people"}, 90.0)]
        assert sample_values(metrics, "talent_other_model_age_seconds") == []
        assert sample_values(metrics, "talent_outbox_backlog") == [({"service": "people"}, 0.0)]
        assert sample_values(metrics, "talent_metrics_scrape_errors") == [
            ({"service": "people"}, 0.0)
        ]
        assert (await client.get("/readyz")).status_code == 200

    down = create_service_app(
        settings=PeopleSettings(
            environment="test",
            database_url=url,
            kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",
        ),
        schema=schema,
        title="people",
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=down), base_url="http://people"
    ) as client:
        # The API never talks to Kafka: a broker outage keeps it ready for reads.
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert (await client.get("/healthz")).status_code == 200

    no_database = create_service_app(
        settings=PeopleSettings(
            environment="test",
            database_url=url.rsplit("/", 1)[0] + "/talent_no_such_database",
        ),
        schema=schema,
        title="people",
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=no_database), base_url="http://people"
    ) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "not answering"}
