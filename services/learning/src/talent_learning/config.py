from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class LearningSettings(ServiceSettings):
    """Environment variables `TALENT_LEARNING_*` (see docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_LEARNING_", extra="ignore")

    service_name: str = "learning"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_learning"
    # The worker's scheduled sweep (compliance assignments, overdue, reminders).
    sweep_interval_s: float = 300.0
    # `enrollment.due_soon` this many days before the due date.
    due_soon_days: int = 7
    # `certification.expiring` this many days before a certification expires.
    certification_expiring_days: int = 30
    # A recertification is assigned this many days before the certification expires.
    recertify_lead_days: int = 30
