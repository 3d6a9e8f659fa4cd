from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class PeopleSettings(ServiceSettings):
    """Environment variables `TALENT_PEOPLE_*` (see docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_PEOPLE_", extra="ignore")

    service_name: str = "people"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_people"
