"""Calendar arithmetic the services share."""

from __future__ import annotations

import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months (negative: earlier), clamped to the month's
    last day: 31 January plus one month is 28 or 29 February, 29 February less twelve
    months is 28 February."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")
