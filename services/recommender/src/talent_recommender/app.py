"""ASGI entry point: `uvicorn talent_recommender.app:app`."""

from talent_platform.app import create_service_app
from talent_recommender.config import RecommenderSettings
from talent_recommender.schema import schema

settings = RecommenderSettings()
app = create_service_app(settings=settings, schema=schema, title="Talent recommender service")
