"""Relative dates ("in the last 90 days") turned into plain calendar days, computed in Python."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def shift(day: date, amount: int, unit: str) -> date:
    """``day`` moved by ``amount`` days, weeks, months or years (Mar 31 - 1 month = Feb 28)."""
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "weeks":
        return day + timedelta(weeks=amount)
    months = amount if unit == "months" else amount * 12
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def relative_range(
    operator: str, amount: int, unit: str, today: date
) -> tuple[date | None, date | None]:
    """The inclusive day range ``(first, last)`` a relative operator selects (None = unbounded).

    ``in the last N`` is ``today - N .. today``; ``in the next N`` is ``today .. today + N``;
    ``older than N`` is every day before ``today - N``.
    """
    if operator == "in the last":
        return shift(today, -amount, unit), today
    if operator == "in the next":
        return today, shift(today, amount, unit)
    if operator == "older than":
        return None, shift(today, -amount, unit) - timedelta(days=1)
    raise ValueError(f"not a relative operator: {operator}")
