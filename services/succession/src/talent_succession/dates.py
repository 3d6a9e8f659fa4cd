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


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")
