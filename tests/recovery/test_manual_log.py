"""Manual log validation: ranges, dates, scales, notes, moments of ease, weekly check-in."""

from __future__ import annotations

from datetime import date

import pytest

from app.recovery.manual_log import (
    MAX_MOMENT_CHARS,
    MAX_MOMENTS_PER_DAY,
    MAX_NOTE_CHARS,
    LogValueError,
    is_empty,
    validate_log_entry,
    validate_moments,
    validate_weekly_checkin,
)
from app.store.records import LogEntry

TODAY = date(2026, 3, 10)


def test_a_full_valid_entry() -> None:
    entry = validate_log_entry(
        "2026-03-10",
        today=TODAY,
        rmssd_ms=42.5,
        resting_hr_bpm=58,
        sleep=4,
        stress=2,
        mood=5,
        note="  walked by the sea ",
    )
    assert entry == LogEntry("2026-03-10", 42.5, 58.0, 4, 2, 5, "walked by the sea")
    assert not is_empty(entry)
    assert is_empty(validate_log_entry("2026-03-09", today=TODAY))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("rmssd_ms", 0.5, "RMSSD must be between 1 and 500 ms"),
        ("rmssd_ms", 500.1, "RMSSD must be between 1 and 500 ms"),
        ("rmssd_ms", float("nan"), "RMSSD"),
        ("resting_hr_bpm", 24.9, "resting heart rate must be between 25 and 220 bpm"),
        ("resting_hr_bpm", 221, "resting heart rate"),
        ("sleep", 0, "sleep must be a whole number from 1 to 5"),
        ("stress", 6, "stress must be a whole number from 1 to 5"),
        ("mood", 2.5, "mood must be a whole number"),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: float, words: str) -> None:
    with pytest.raises(LogValueError, match=words):
        validate_log_entry("2026-03-01", today=TODAY, **{field: value})  # type: ignore[arg-type]


def test_range_edges_are_allowed() -> None:
    low = validate_log_entry("2026-03-01", today=TODAY, rmssd_ms=1, resting_hr_bpm=25, sleep=1)
    high = validate_log_entry("2026-03-01", today=TODAY, rmssd_ms=500, resting_hr_bpm=220, mood=5)
    assert (low.rmssd_ms, low.resting_hr_bpm, high.rmssd_ms, high.resting_hr_bpm) == (
        1,
        25,
        500,
        220,
    )


@pytest.mark.parametrize("text", ["2026-02-30", "2026-3-1", "yesterday", "", "2026-03-01T07:00"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(LogValueError, match="YYYY-MM-DD"):
        validate_log_entry(text, today=TODAY, sleep=3)


def test_future_dates_are_refused_today_is_fine() -> None:
    with pytest.raises(LogValueError, match="future"):
        validate_log_entry("2026-03-11", today=TODAY, sleep=3)
    assert validate_log_entry("2026-03-10", today=TODAY, sleep=3).date == "2026-03-10"


def test_notes_and_moments_limits() -> None:
    with pytest.raises(LogValueError, match="note"):
        validate_log_entry("2026-03-01", today=TODAY, note="x" * (MAX_NOTE_CHARS + 1))
    assert validate_moments(["  tea ", "", "   ", "sun"]) == ("tea", "sun")
    with pytest.raises(LogValueError, match="moment"):
        validate_moments(["x" * (MAX_MOMENT_CHARS + 1)])
    with pytest.raises(LogValueError, match="moments of ease"):
        validate_moments(["m"] * (MAX_MOMENTS_PER_DAY + 1))


def test_weekly_checkin_is_keyed_by_monday_and_checked() -> None:
    got = validate_weekly_checkin(
        "2026-03-05", today=TODAY, steadier_score=4, steadier_note="yes", recovery_score=3
    )
    assert (got.week_start, got.answered_on, got.steadier_score, got.recovery_score) == (
        "2026-03-02",
        "2026-03-05",
        4,
        3,
    )
    with pytest.raises(LogValueError, match="second weekly answer"):
        validate_weekly_checkin("2026-03-05", today=TODAY, steadier_score=4, recovery_score=9)
