from pydantic import Field
from pydantic_settings import SettingsConfigDict

from talent_platform.settings import ServiceSettings


class RecommenderSettings(ServiceSettings):
    """Environment variables `TALENT_RECOMMENDER_*` (see docs/recommender.md)."""

    model_config = SettingsConfigDict(env_prefix="TALENT_RECOMMENDER_", extra="ignore")

    service_name: str = "recommender"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/talent_recommender"
    refit_interval_s: float = Field(
        default=6 * 3600.0,
        description="How often the worker refits the inferred-skills model (0: never on a "
        "schedule); on-demand refits (refitRecommenderModel, `talent recommender refit`) "
        "are picked up within refit_poll_s.",
    )
    refit_poll_s: float = 5.0
    estimate_inline_max: int = Field(
        default=50,
        ge=0,
        description="A consumer batch that changed the evidence of at most this many "
        "employees recomputes their skills estimates before it commits; a larger one (an "
        "import's burst) marks them for the worker's estimates job.",
    )
    estimate_job_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="How often the worker's estimates job looks for marked employees.",
    )
    estimate_job_chunk: int = Field(
        default=1_000,
        gt=0,
        description="Employees the estimates job recomputes per transaction.",
    )
    model_rank: int = Field(default=16, description="Rank of the low-rank skills model.")
    refit_evidence_growth: float = Field(
        default=0.05,
        ge=0.0,
        description="The worker refits once the evidence records (assessments, completions, "
        "job history) grew by more than this share since the last fit and the consumer is "
        "caught up, or when there is evidence and no model yet (0: never on growth).",
    )
