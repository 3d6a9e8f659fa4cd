"""Dates the service validates against and the default review-by interval."""

from __future__ import annotations

import datetime as dt

# The earliest time zone is UTC+14: a day that has begun anywhere is not "in the future".
_EARLIEST_ZONE = dt.timedelta(hours=14)
EARLIEST_DAY = dt.date(1900, 1, 1)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def latest_allowed_day() -> dt.date:
    return (dt.datetime.now(dt.UTC) + _EARLIEST_ZONE).date()
