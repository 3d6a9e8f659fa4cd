"""`python -m talent_people.worker`: the outbox relay (people consumes no events yet)."""

import sys

from talent_people.config import PeopleSettings
from talent_people.db import messaging
from talent_platform.worker import run_worker


def main() -> int:
    return run_worker(PeopleSettings(), tables=messaging)


if __name__ == "__main__":
    sys.exit(main())
