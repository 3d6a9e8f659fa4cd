from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class PerformanceSettings(ServiceSettings):
    """Environment variables `TALENT_PERFORMANCE_*` (see docs/performance.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_PERFORMANCE_", extra="ignore")

    service_name: str = "performance"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_performance"
    due_soon_days: int = 3
    """A review is due soon this many days before its phase deadline."""
    deadline_sweep_seconds: float = 60.0
    """How often the worker looks for due-soon and overdue reviews."""
