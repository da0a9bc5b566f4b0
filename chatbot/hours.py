"""Posting hours (art. 10, the city's guideline): when an approved post may go out.

Pure functions of a time and the policy file's `[posting_hours]`, so the workflow,
the worker and the approval card agree, and the tests need no waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from policies.model import PostingHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A policy with no open day at all would loop forever; a year is far beyond any holiday.
MAX_DAYS_AHEAD = 366


def within_hours(at: datetime, hours: PostingHours) -> bool:
    local = at.astimezone(hours.tzinfo)
    return (_open_day(local, hours) and hours.start <= local.time().replace(tzinfo=None)
            < hours.end)


def next_window(now: datetime, hours: PostingHours) -> datetime:
    """`now` if posting is allowed now, else when the next posting window opens (aware UTC)."""
    if within_hours(now, hours):
        return now
    local = now.astimezone(hours.tzinfo)
    day = local.date()
    if local.time().replace(tzinfo=None) >= hours.start:
        day += timedelta(days=1)  # today's window is over (or today is closed)
    for _ in range(MAX_DAYS_AHEAD):
        opening = datetime.combine(day, hours.start, tzinfo=hours.tzinfo)
        if _open_day(opening, hours):
            return opening.astimezone(UTC)
        day += timedelta(days=1)
    raise ValueError("posting_hours: no open day within a year; check weekdays and closed_dates")


def _open_day(local: datetime, hours: PostingHours) -> bool:
    return WEEKDAYS[local.weekday()] in hours.weekdays and local.date() not in hours.closed_dates
