"""Validation of the manual log, the moments of ease and the weekly check-in.

Rules (the same for the log form and `baseline log`):
- date: `YYYY-MM-DD`, a real calendar date from 2000-01-01 (`app.store.validation`), not after
  today (today is passed in, so a test or a form can fix it); a log describes a day that has begun.
- RMSSD 1-500 ms (any device's morning value lies far inside this), resting heart rate
  25-220 bpm, sleep quality / stress / mood whole numbers 1-5. Every field is optional.
- note: at most 1000 characters; moments of ease: at most 20 a day, each 1-200 characters after
  trimming spaces; blank ones are dropped.
- weekly check-in: the two answers are 1-5 with a note each; the week is named by its Monday.
Anything else raises `LogValueError` with one plain sentence naming the field, and nothing is
stored (validation runs before any write).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from app.store.daily import WeeklyCheckin
from app.store.records import LogEntry
from app.store.validation import EARLIEST_DATE, RMSSD_RANGE_MS

# A resting heart rate lies inside the range of any heart rate (20-250 bpm).
RESTING_HR_RANGE_BPM = (25.0, 220.0)
SCALE_RANGE = (1, 5)
MAX_NOTE_CHARS = 1000
MAX_MOMENT_CHARS = 200
MAX_MOMENTS_PER_DAY = 20

#: The two weekly questions, as the issue words them.
WEEKLY_QUESTIONS = (
    "Did I feel calmer only while using a technique, or more stable even when I forgot to?",
    "Did my body recover faster after stress than it used to?",
)


class LogValueError(ValueError):
    """A log value is out of range or malformed; the message names the field."""


def parse_day(text: str, *, today: date) -> date:
    """A `YYYY-MM-DD` date that is not after `today`."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise LogValueError(
            f"date {text!r} is not a calendar date in the form YYYY-MM-DD"
        ) from None
    if day > today:
        raise LogValueError(f"date {text} is in the future; a log entry is for today or earlier")
    if day < EARLIEST_DATE:
        raise LogValueError(
            f"date {text} is before {EARLIEST_DATE.isoformat()}; a log entry is for"
            f" {EARLIEST_DATE.isoformat()} or later"
        )
    return day


def _check_range(name: str, value: float | None, lo: float, hi: float, unit: str) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise LogValueError(f"{name} must be between {lo:g} and {hi:g} {unit}, not {value:g}")
    return float(value)


def _check_scale(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    lo, hi = SCALE_RANGE
    if isinstance(value, bool) or int(value) != value or not lo <= value <= hi:
        raise LogValueError(f"{name} must be a whole number from {lo} to {hi}, not {value}")
    return int(value)


def _check_note(name: str, note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise LogValueError(f"{name} is {len(note)} characters; at most {MAX_NOTE_CHARS} fit")
    return note or None


def validate_log_entry(
    day: str,
    *,
    today: date,
    rmssd_ms: float | None = None,
    resting_hr_bpm: float | None = None,
    sleep: int | None = None,
    stress: int | None = None,
    mood: int | None = None,
    note: str | None = None,
) -> LogEntry:
    """A checked `LogEntry` (rules in the module docstring), or `LogValueError`."""
    parsed = parse_day(day, today=today)
    return LogEntry(
        date=parsed.isoformat(),
        rmssd_ms=_check_range("RMSSD", rmssd_ms, *RMSSD_RANGE_MS, "ms"),
        resting_hr_bpm=_check_range(
            "resting heart rate", resting_hr_bpm, *RESTING_HR_RANGE_BPM, "bpm"
        ),
        sleep=_check_scale("sleep", sleep),
        stress=_check_scale("stress", stress),
        mood=_check_scale("mood", mood),
        note=_check_note("the note", note),
    )


def is_empty(entry: LogEntry) -> bool:
    """True when the entry holds no value at all (only its date)."""
    return all(
        v is None
        for v in (
            entry.rmssd_ms,
            entry.resting_hr_bpm,
            entry.sleep,
            entry.stress,
            entry.mood,
            entry.note,
        )
    )


def validate_moments(moments: Sequence[str]) -> tuple[str, ...]:
    """Trimmed, non-blank moments of ease, within the limits."""
    kept = tuple(m.strip() for m in moments if m.strip())
    if len(kept) > MAX_MOMENTS_PER_DAY:
        raise LogValueError(
            f"{len(kept)} moments of ease given; at most {MAX_MOMENTS_PER_DAY} a day fit"
        )
    for m in kept:
        if len(m) > MAX_MOMENT_CHARS:
            raise LogValueError(
                f"a moment of ease is {len(m)} characters; at most {MAX_MOMENT_CHARS} fit"
            )
    return kept


def week_start(day: date) -> date:
    """The Monday of the week that holds `day`."""
    return day - timedelta(days=day.weekday())


def validate_weekly_checkin(
    answered_on: str,
    *,
    today: date,
    steadier_score: int | None,
    steadier_note: str | None = None,
    recovery_score: int | None,
    recovery_note: str | None = None,
) -> WeeklyCheckin:
    """A checked weekly check-in for the week holding `answered_on`."""
    day = parse_day(answered_on, today=today)
    return WeeklyCheckin(
        week_start=week_start(day).isoformat(),
        answered_on=day.isoformat(),
        steadier_score=_check_scale("the first weekly answer", steadier_score),
        steadier_note=_check_note("the first weekly note", steadier_note),
        recovery_score=_check_scale("the second weekly answer", recovery_score),
        recovery_note=_check_note("the second weekly note", recovery_note),
    )
