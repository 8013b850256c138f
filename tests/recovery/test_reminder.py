"""The daily reminder's rule: once a day from the chosen time on, unless the check is done."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from app.recovery.reminder import MAX_WAIT_S, next_look, parse_clock_time, reminder_due

AT = time(7, 30)
DAY = date(2026, 3, 10)


def _at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_clock_times() -> None:
    assert parse_clock_time("07:30") == AT
    assert parse_clock_time("23:59") == time(23, 59)
    for bad in ("7:30", "24:00", "07:60", "0730", "07-30", "ab:cd"):
        with pytest.raises(ValueError):
            parse_clock_time(bad)


def test_due_from_the_time_on_once_a_day() -> None:
    assert not reminder_due(_at(7, 29), AT, checked_on=None, reminded_on=None)
    assert reminder_due(_at(7, 30), AT, checked_on=None, reminded_on=None)
    assert reminder_due(_at(15, 0), AT, checked_on=None, reminded_on=None)  # app opened later
    assert not reminder_due(_at(8, 0), AT, checked_on=None, reminded_on=DAY)
    yesterday = DAY - timedelta(days=1)
    assert reminder_due(_at(8, 0), AT, checked_on=yesterday, reminded_on=yesterday)


def test_not_due_once_the_check_is_done() -> None:
    assert not reminder_due(_at(7, 45), AT, checked_on=DAY, reminded_on=None)


def test_the_next_look() -> None:
    # early in the morning: at the time (within the hourly cap)
    assert next_look(_at(7, 0), AT, checked_on=None, reminded_on=None) == _at(7, 30)
    # long before: an hour from now at most
    assert next_look(_at(2, 0), AT, checked_on=None, reminded_on=None) == _at(3, 0)
    # reminded or checked today: tomorrow's time, looked at hourly
    assert next_look(_at(7, 0), AT, checked_on=DAY, reminded_on=None) == _at(8, 0)
    late = _at(23, 0)
    tomorrow = late + timedelta(seconds=MAX_WAIT_S)
    assert next_look(late, AT, checked_on=None, reminded_on=DAY) == tomorrow
    near = datetime(2026, 3, 10, 7, 10, tzinfo=timezone(timedelta(hours=2)))
    assert next_look(near, AT, checked_on=None, reminded_on=None) == near.replace(minute=30)
