"""ASGI entry point: `uvicorn talent_notifier.app:app`."""

from talent_notifier.config import NotifierSettings
from talent_notifier.schema import schema
from talent_platform.app import create_service_app

settings = NotifierSettings()
app = create_service_app(settings=settings, schema=schema, title="Talent notifier service")
