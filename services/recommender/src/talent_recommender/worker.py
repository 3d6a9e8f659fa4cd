"""`python -m talent_recommender.worker`: the outbox relay, the consumer of people,
learning, performance and succession events, and the refit loop (schedule and on-demand
requests, and evidence growth once the consumer is caught up)."""

import sys
import threading

from talent_contracts import service_topic
from talent_platform.db.session import create_sync_engine
from talent_platform.worker import run_worker
from talent_recommender.config import RecommenderSettings
from talent_recommender.db import consumer_lag, messaging
from talent_recommender.ingest.consumers import registry
from talent_recommender.profiles.freshness import EvidenceGrowth
from talent_recommender.profiles.refits import schedule

CONSUMES = ["people", "learning", "performance", "succession"]


def main() -> int:
    settings = RecommenderSettings()
    engine = create_sync_engine(settings.database_url, pool_size=2)
    stop = threading.Event()
    refits = threading.Thread(
        target=schedule,
        args=(engine, stop),
        kwargs={
            "rank": settings.model_rank,
            "interval_s": settings.refit_interval_s,
            "poll_s": settings.refit_poll_s,
            "evidence_growth": EvidenceGrowth(
                share=settings.refit_evidence_growth,
                stale_after_s=settings.consumer_lag_stale_after_s,
            ),
        },
        name="refits",
        daemon=True,
    )
    refits.start()
    try:
        return run_worker(
            settings,
            tables=messaging,
            registry=registry,
            lag_table=consumer_lag,
            consumes=[service_topic(s) for s in CONSUMES],
        )
    finally:
        stop.set()
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
