"""The plain-language reading: counts of days, direction per metric, and a gentle tone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.recovery.baseline import baseline_table
from app.recovery.reading import Metric, Mood, days_until_normal_range, read_state

D0 = date(2026, 1, 1)
ALARM_WORDS = ("warning", "danger", "alert", "disease", "diagnos", "illness", "sick", "risk")


def steady(n: int, level: float = 4.0) -> dict[date, float]:
    return {D0 + timedelta(days=i): level + (0.04 if i % 2 else -0.04) for i in range(n)}


def test_no_data() -> None:
    r = read_state(baseline_table({}))
    assert r.mood is Mood.GETTING_STARTED
    assert r.as_of is None
    assert r.more_days_needed == 14


def test_counts_days_needed_for_the_normal_range() -> None:
    r = read_state(baseline_table(steady(5)))
    assert r.text == "Not enough days yet: 9 more needed for your normal range."
    assert r.more_days_needed == 9
    assert r.as_of == D0 + timedelta(days=4)
    assert days_until_normal_range(baseline_table(steady(13))) == 1
    assert read_state(baseline_table(steady(13))).text.startswith(
        "Not enough days yet: 1 more needed"
    )


def test_within() -> None:
    r = read_state(baseline_table(steady(20)))
    assert r.text == "Within your normal range."
    assert r.mood is Mood.WITHIN
    assert r.days_in_a_row == 20 - 13


def test_lower_than_usual_counts_the_days_in_a_row() -> None:
    values = steady(20)
    for i in range(20, 23):
        values[D0 + timedelta(days=i)] = 3.0
    table = baseline_table(values)
    run = 0
    for s in reversed(table.status):
        if s != "below":
            break
        run += 1
    assert run >= 2
    r = read_state(table)
    assert r.mood is Mood.GENTLE
    assert r.days_in_a_row == run
    assert r.text == f"Lower than usual for {run} days: go gently."


def test_resting_heart_rate_direction_is_reversed() -> None:
    values = steady(20, level=60.0)
    for i in range(20, 24):
        values[D0 + timedelta(days=i)] = 70.0
    table = baseline_table(values)
    assert table.status[-1] == "above"
    high = read_state(table, Metric.RESTING_HR)
    assert high.mood is Mood.GENTLE
    assert "higher than usual" in high.text and "go gently" in high.text
    assert read_state(table, Metric.LN_RMSSD).mood is Mood.BRIGHT


def test_missing_week_values_are_explained() -> None:
    values = steady(20)
    values[D0 + timedelta(days=30)] = 4.0  # a lone day after a break: 1 value in the week
    r = read_state(baseline_table(values))
    assert r.mood is Mood.GETTING_STARTED
    assert "7-day baseline needs 2 more days" in r.text


@pytest.mark.parametrize("n", [0, 3, 13, 20])
def test_no_alarm_words(n: int) -> None:
    text = read_state(baseline_table(steady(n))).text.lower()
    assert not any(word in text for word in ALARM_WORDS)
