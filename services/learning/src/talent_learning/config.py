from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class LearningSettings(ServiceSettings):
    """Environment variables `TALENT_LEARNING_*` (see docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_LEARNING_", extra="ignore")

    service_name: str = "learning"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_learning"
