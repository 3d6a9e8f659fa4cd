from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class SuccessionSettings(ServiceSettings):
    """Environment variables `TALENT_SUCCESSION_*` (see docs/succession.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_SUCCESSION_", extra="ignore")

    service_name: str = "succession"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_succession"
    review_interval_months: int = 12
    """Default review-by interval of potential, readiness and plans."""
    staleness_sweep_interval_s: float = 60.0
    """How often the worker looks for overdue reviews and uncovered key roles."""
