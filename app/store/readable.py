"""Rows a hand-edited or damaged database may hold that no view can read.

SQLite keeps whatever a column is given: text in a number column, an impossible date, bytes in a
text column. The store's readers leave such rows out (`readable_session_row`,
`readable_log_row`, `readable_mark_row`, `readable_reading_row`), beat values that are not
numbers become NaN (the views skip non-finite beats and say how many), and
`Store.unreadable_rows()` counts what was left out so that the app can say so once.

These are type checks only; whether a well-typed value is plausible is `app.store.validation`'s
business.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_number_or_none(value: object) -> bool:
    return value is None or is_number(value)


def is_int_or_none(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def is_text_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


def number_or_nan(value: object) -> float:
    """A stored number as a float; anything else is NaN (a value the views skip)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def readable_session_row(row: Sequence[Any]) -> bool:
    """The typed columns of a sessions row (in `_SESSION_COLUMNS` order) hold their types:
    id (int), the texts, rate and duration (numbers), the stress ratings (integers)."""
    return (
        isinstance(row[0], int)
        and all(is_text_or_none(row[i]) for i in (5, 6, 8, 12, 13))
        and is_number_or_none(row[7])
        and is_number_or_none(row[9])
        and is_int_or_none(row[10])
        and is_int_or_none(row[11])
        and isinstance(row[14], int)
    )


def readable_log_row(row: Sequence[Any]) -> bool:
    """A daily_log row (date, rmssd_ms, resting_hr_bpm, sleep, stress, mood, note): a real
    calendar date, numbers, integer ratings and a text note."""
    if not isinstance(row[0], str):
        return False
    try:
        date.fromisoformat(row[0])
    except ValueError:
        return False
    return (
        is_number_or_none(row[1])
        and is_number_or_none(row[2])
        and all(is_int_or_none(row[i]) for i in (3, 4, 5))
        and is_text_or_none(row[6])
    )


def readable_mark_row(row: Sequence[Any]) -> bool:
    """A marks row (t_ms, kind, detail)."""
    return is_number(row[0]) and isinstance(row[1], str) and is_text_or_none(row[2])


def readable_reading_row(row: Sequence[Any]) -> bool:
    """A heart_rate row (t_ms, bpm, contact)."""
    return is_number(row[0]) and is_number(row[1]) and is_int_or_none(row[2])
