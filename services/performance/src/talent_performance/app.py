"""ASGI entry point: `uvicorn talent_performance.app:app`."""

from talent_performance.config import PerformanceSettings
from talent_performance.schema import schema
from talent_platform.app import create_service_app

settings = PerformanceSettings()
app = create_service_app(settings=settings, schema=schema, title="Talent performance service")
