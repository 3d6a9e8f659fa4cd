"""ASGI entry point: `uvicorn talent_succession.app:app`."""

from talent_platform.app import create_service_app
from talent_succession.config import SuccessionSettings
from talent_succession.schema import schema

settings = SuccessionSettings()
app = create_service_app(settings=settings, schema=schema, title="Talent succession service")
