"""Settings shared by every service; each service subclasses with its own env prefix.

`TALENT_PEOPLE_DATABASE_URL`, `TALENT_LEARNING_KAFKA_BOOTSTRAP_SERVERS`, ...: one
documented prefix per service (see docs/configuration.md). Secrets have no production
default: the dev secret is accepted only when `environment` is `dev` or `test`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "talent-dev-secret-change-me-0123456789abcdef"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENT_", extra="ignore")

    service_name: str = "talent"
    environment: Literal["dev", "test", "production"] = "dev"
    log_level: str = "INFO"

    database_url: str = Field(
        default="postgresql+psycopg://postgres@127.0.0.1:5432/talent",
        description="SQLAlchemy URL of this service's own database (psycopg 3 driver).",
    )
    database_pool_size: int = 10

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="", description="Optional environment prefix of topic names.")
    kafka_security_protocol: str = "PLAINTEXT"
    # Consumer group timing: FACTS.md measured that Tansu needs short timeouts to join fast;
    # production sets larger values.
    kafka_session_timeout_ms: int = 2000
    kafka_heartbeat_interval_ms: int = 500
    kafka_max_poll_interval_ms: int = 30000
    # How long the broker may hold a fetch open waiting for data. Tansu answers a fetch
    # only when this expires, so it bounds consumer latency there (bench/outbox_latency).
    kafka_fetch_max_wait_ms: int = 20
    # How often clients refresh topic metadata. Short, so a topic recreated with another
    # partition count (a restarted Tansu auto-creates topics) is noticed in seconds, not
    # kafka-python's default 5 minutes: a consumer rebalances onto the new partitions.
    kafka_metadata_max_age_ms: int = 5000
    # Off by default because Tansu never recovers an idempotent producer after a restart;
    # docker-compose and the Kubernetes manifests turn it on (with acks=all, always).
    kafka_idempotent_producer: bool = False
    # Topics the worker creates at start-up (deploy/ and docker-compose create them
    # explicitly with the same values).
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    consumer_max_attempts: int = 3
    consumer_retry_backoff_s: float = 0.2
    consumer_max_consecutive_failures: int = 50
    # The lag snapshot a worker records for its API (events/lag.py): how often, and after
    # how long without a new one it no longer counts as caught up.
    consumer_lag_record_interval_s: float = 1.0
    consumer_lag_stale_after_s: float = 15.0
    # While the database is away a record waits (backoff doubling up to this) instead of
    # counting towards its attempts: only the record's own errors lead to the DLQ.
    consumer_database_backoff_max_s: float = 5.0

    outbox_poll_interval_s: float = 1.0
    outbox_batch_size: int = 500
    outbox_retention_days: int = 365

    # OpenID Connect: tokens signed (RS256 or ES256) by this issuer, verified with the keys
    # of its JWKS (jwt_jwks_url, else the jwks_uri of its discovery document). When set,
    # the jwt_algorithm/jwt_secret/jwt_issuer settings below are not used.
    oidc_issuer: str | None = None
    # Without an issuer: HS256 with a shared secret (tests and the HS256 dev switch), or
    # RS256 with a fixed public key or JWKS URL.
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: str | None = None
    jwt_jwks_url: str | None = None
    jwt_public_key: str | None = None
    jwt_audience: str = "talent"
    jwt_issuer: str = "talent"
    gateway_secret: str | None = None
    require_gateway_secret: bool = False

    graphql_max_page_size: int = 100

    # Observability. Traces go out over OTLP/HTTP only when an endpoint is set (e.g.
    # http://otel-collector:4318); by default nothing is exported.
    otlp_endpoint: str | None = None
    otlp_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    # The worker's /metrics and /healthz: off when unset, a free port when 0.
    worker_metrics_port: int | None = None
    worker_metrics_host: str = "127.0.0.1"
    graphql_introspection: bool = True

    @model_validator(mode="after")
    def _secrets_are_configured(self) -> ServiceSettings:
        if self.oidc_issuer:
            self.oidc_issuer = self.oidc_issuer.rstrip("/")
        elif self.jwt_algorithm == "HS256" and not self.jwt_secret:
            if self.environment == "production":
                raise ValueError("jwt_secret is required in production for HS256")
            self.jwt_secret = DEV_JWT_SECRET
        if (
            not self.oidc_issuer
            and self.jwt_algorithm == "RS256"
            and not (self.jwt_jwks_url or self.jwt_public_key)
        ):
            raise ValueError("RS256 needs jwt_jwks_url or jwt_public_key")
        if self.environment == "production" and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("the dev JWT secret must not be used in production")
        return self

    @property
    def outbox_channel(self) -> str:
        return f"talent_outbox_{self.service_name}"
