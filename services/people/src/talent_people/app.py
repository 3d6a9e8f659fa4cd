"""ASGI entry point: `uvicorn talent_people.app:app`."""

from talent_people.config import PeopleSettings
from talent_people.schema import schema
from talent_platform.app import create_service_app

settings = PeopleSettings()
app = create_service_app(settings=settings, schema=schema, title="Talent people service")
