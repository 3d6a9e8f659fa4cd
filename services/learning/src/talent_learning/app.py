"""ASGI entry point: `uvicorn talent_learning.app:app`.

Besides `/graphql`, the learning app serves `POST /xapi/statements` and
`GET /reports/<name>.csv` (talent_learning/http.py).
"""

from talent_learning.config import LearningSettings
from talent_learning.http import install_routes
from talent_learning.schema import schema
from talent_platform.app import create_service_app

settings = LearningSettings()
app = create_service_app(
    settings=settings, schema=schema, title="Talent learning service", configure=install_routes
)
