"""`python -m talent_succession.worker`: the outbox relay, the consumer of people's,
performance's and learning's events, and the staleness sweep."""

import sys

from talent_contracts import service_topic
from talent_platform.worker import run_worker
from talent_succession.config import SuccessionSettings
from talent_succession.consumers import registry
from talent_succession.db import messaging

CONSUMES = [service_topic("people"), service_topic("performance"), service_topic("learning")]


def main() -> int:
    settings = SuccessionSettings()
    return run_worker(settings, tables=messaging, registry=registry, consumes=CONSUMES)


if __name__ == "__main__":
    sys.exit(main())
