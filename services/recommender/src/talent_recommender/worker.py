"""`python -m talent_recommender.worker`: the outbox relay, the consumer of people,
learning, performance and succession events, and two periodic jobs: refits (every
`refit_poll_s` it looks for on-demand requests, evidence growth once the consumer is
caught up, and the schedule) and estimates (the employees consumer batches marked stale)."""

import sys
from functools import partial

from talent_contracts import service_topic
from talent_platform.periodic import PeriodicJob
from talent_platform.worker import run_worker
from talent_recommender.config import RecommenderSettings
from talent_recommender.db import consumer_lag, messaging
from talent_recommender.ingest.consumers import registry
from talent_recommender.profiles.estimates import recompute_marked
from talent_recommender.profiles.freshness import EvidenceGrowth
from talent_recommender.profiles.refits import refit_if_due

CONSUMES = ["people", "learning", "performance", "succession"]


def refits(settings: RecommenderSettings) -> PeriodicJob:
    """Not one transaction: a refit commits the model, then vacuums the estimates."""
    growth = EvidenceGrowth(
        share=settings.refit_evidence_growth,
        stale_after_s=settings.consumer_lag_stale_after_s,
    )
    return PeriodicJob(
        "refits",
        settings.refit_poll_s,
        partial(
            refit_if_due,
            rank=settings.model_rank,
            interval_s=settings.refit_interval_s,
            evidence_growth=growth,
        ),
    )


def estimates(settings: RecommenderSettings) -> PeriodicJob:
    """Recomputes the employees consumer batches marked stale (a transaction per chunk)."""
    return PeriodicJob(
        "estimates",
        settings.estimate_job_interval_s,
        partial(recompute_marked, chunk=settings.estimate_job_chunk),
    )


def periodic_jobs(settings: RecommenderSettings) -> list[PeriodicJob]:
    return [refits(settings), estimates(settings)]


def main() -> int:
    settings = RecommenderSettings()
    return run_worker(
        settings,
        tables=messaging,
        registry=registry,
        lag_table=consumer_lag,
        consumes=[service_topic(s) for s in CONSUMES],
        periodic=periodic_jobs(settings),
    )


if __name__ == "__main__":
    sys.exit(main())
