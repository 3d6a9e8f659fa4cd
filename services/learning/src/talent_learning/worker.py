"""`python -m talent_learning.worker`: the outbox relay, the consumer of people's and
succession's events, and the scheduled compliance sweep (a daemon thread).

The worker consumes `talent.succession.v1` even before a succession service exists:
`run_worker` creates the topics it consumes when they are missing.
"""

import sys
import threading

from talent_contracts import service_topic
from talent_learning.compliance.sweep import run_sweeps
from talent_learning.config import LearningSettings
from talent_learning.consumers import registry
from talent_learning.db import messaging
from talent_platform.db.session import create_sync_engine
from talent_platform.worker import run_worker


def main() -> int:
    settings = LearningSettings()
    engine = create_sync_engine(settings.database_url, pool_size=1)
    stop = threading.Event()
    threading.Thread(
        target=run_sweeps, args=(engine, settings, stop), name="compliance-sweep", daemon=True
    ).start()
    try:
        return run_worker(
            settings,
            tables=messaging,
            registry=registry,
            consumes=[service_topic("people"), service_topic("succession")],
        )
    finally:
        stop.set()
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
