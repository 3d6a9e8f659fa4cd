"""ASGI entry point: `uvicorn talent_learning.app:app`."""

from talent_learning.config import LearningSettings
from talent_learning.schema import schema
from talent_platform.app import create_service_app

settings = LearningSettings()
app = create_service_app(settings=settings, schema=schema, title="Talent learning service")
