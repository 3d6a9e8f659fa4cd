"""`python -m talent_learning.worker`: the outbox relay and the people-event consumer."""

import sys

from talent_contracts import service_topic
from talent_learning.config import LearningSettings
from talent_learning.db import messaging
from talent_learning.people.consumers import registry
from talent_platform.worker import run_worker


def main() -> int:
    return run_worker(
        LearningSettings(), tables=messaging, registry=registry, consumes=[service_topic("people")]
    )


if __name__ == "__main__":
    sys.exit(main())
