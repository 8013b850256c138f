"""When the optional daily reminder of the morning check is due (no Qt: the desktop layer shows it).

The rule: once a day, at the chosen local time or at the first moment after it that the app is
running, unless a morning check was already taken that day or the reminder already came that day.
A day ends at midnight: a reminder missed by a whole day is not repeated.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

#: The longest single wait between two looks at the clock: a machine that slept, or a clock
#: that was changed, is noticed within this time.
MAX_WAIT_S = 3600.0


def parse_clock_time(text: str) -> time:
    """ "HH:MM" (24-hour) as a time; ValueError for anything else."""
    if len(text) != 5 or text[2] != ":":
        raise ValueError(f"a time of day is HH:MM, got {text!r}")
    return time(int(text[:2]), int(text[3:]))


def reminder_due(
    now: datetime,
    at: time,
    *,
    checked_on: date | None,
    reminded_on: date | None,
) -> bool:
    """Whether to remind now: the time of day has come today, and today has neither a morning
    check (`checked_on`, the day of the newest one) nor a reminder yet (`reminded_on`)."""
    today = now.date()
    return now.time() >= at and checked_on != today and reminded_on != today


def next_look(
    now: datetime,
    at: time,
    *,
    checked_on: date | None,
    reminded_on: date | None,
) -> datetime:
    """When to look again: the next moment the reminder could become due (today's time if it
    is still ahead and today is open, else tomorrow's), at most `MAX_WAIT_S` from now."""
    today = now.date()
    today_at = datetime.combine(today, at, tzinfo=now.tzinfo)
    if now < today_at and checked_on != today and reminded_on != today:
        target = today_at
    else:
        target = datetime.combine(today + timedelta(days=1), at, tzinfo=now.tzinfo)
    return min(target, now + timedelta(seconds=MAX_WAIT_S))
