"""One morning's HRV against the normal range of the days before it: below, within, above, or
too few days yet; the range is the baseline table's range as it stood the day before."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from app.recovery.baseline import BaselineSettings, baseline_table
from app.recovery.normal_range import RangePosition, compare_with_normal_range

DAY = date(2026, 5, 20)


def _history(n_days: int, seed: int = 4, gaps_every: int = 0) -> dict[date, float]:
    """RMSSD (ms) on the n days before DAY, lognormal around 45 ms; every k-th day missing."""
    rng = np.random.default_rng(seed)
    out: dict[date, float] = {}
    for back in range(1, n_days + 1):
        if gaps_every and back % gaps_every == 0:
            continue
        out[DAY - timedelta(days=back)] = float(math.exp(rng.normal(math.log(45.0), 0.2)))
    return out


def test_the_range_is_the_tables_range_of_the_day_before() -> None:
    history = _history(90, gaps_every=4)
    table = baseline_table({d: math.log(v) for d, v in history.items()})
    yesterday = table.row(-1)
    assert yesterday.date == DAY - timedelta(days=1)
    assert yesterday.normal_low is not None and yesterday.normal_high is not None
    got = compare_with_normal_range(45.0, DAY, history)
    assert got.low_ms == pytest.approx(math.exp(yesterday.normal_low), rel=1e-12)
    assert got.high_ms == pytest.approx(math.exp(yesterday.normal_high), rel=1e-12)
    in_window = [d for d in history if DAY - timedelta(days=60) <= d < DAY]
    assert got.days_counted == len(in_window)


def test_below_within_and_above() -> None:
    history = _history(40)
    logs = np.log(list(history.values()))
    low = math.exp(logs.mean() - 0.5 * logs.std(ddof=1))
    high = math.exp(logs.mean() + 0.5 * logs.std(ddof=1))
    below = compare_with_normal_range(low * 0.97, DAY, history)
    within = compare_with_normal_range(math.sqrt(low * high), DAY, history)
    above = compare_with_normal_range(high * 1.03, DAY, history)
    assert below.position is RangePosition.BELOW
    assert within.position is RangePosition.WITHIN
    assert above.position is RangePosition.ABOVE
    for got in (below, within, above):
        assert got.range_text == f"{low:.0f}\u2013{high:.0f} ms"
        assert got.more_days_needed == 0
    assert "below your normal range" in below.sentence and "go gently" in below.sentence
    assert "within your normal range" in within.sentence
    assert "above your normal range" in above.sentence
    assert f"{within.rmssd_ms:.0f} ms" in within.sentence
    # The edges belong to the range.
    assert compare_with_normal_range(low, DAY, history).position is RangePosition.WITHIN


def test_a_value_just_outside_never_reads_as_inside() -> None:
    """Whole numbers would say "39 ms, below your normal range (39-42 ms)": decimals then."""
    history = _history(40)
    base = compare_with_normal_range(40.0, DAY, history)
    assert base.low_ms is not None and base.high_ms is not None
    for value, position in (
        (base.low_ms * 0.999, RangePosition.BELOW),
        (base.high_ms * 1.001, RangePosition.ABOVE),
        (base.low_ms, RangePosition.WITHIN),
    ):
        got = compare_with_normal_range(value, DAY, history)
        assert got.position is position
        shown = f"{got.rmssd_ms:.{got.decimals}f} ms"
        assert shown in got.sentence and got.range_text in got.sentence
        low_text, high_text = got.range_text.removesuffix(" ms").split("\u2013")
        inside = float(low_text) <= float(shown.removesuffix(" ms")) <= float(high_text)
        assert inside == (position is RangePosition.WITHIN), got.sentence
    far_below = compare_with_normal_range(base.low_ms * 0.8, DAY, history)
    assert far_below.decimals == 0  # whole numbers whenever they tell the story


def test_too_few_days_yet_says_how_many_more() -> None:
    history = _history(9)
    got = compare_with_normal_range(40.0, DAY, history)
    assert got.position is RangePosition.TOO_FEW_DAYS
    assert got.low_ms is None and got.high_ms is None and got.range_text == ""
    assert (got.days_counted, got.more_days_needed) == (9, 5)
    assert "14 mornings" in got.sentence and "5 more mornings to go" in got.sentence
    one_short = compare_with_normal_range(40.0, DAY, _history(13))
    assert one_short.more_days_needed == 1 and "1 more morning to go" in one_short.sentence
    first = compare_with_normal_range(40.0, DAY, {})
    assert (first.days_counted, first.more_days_needed) == (0, 14)


def test_the_morning_itself_and_later_days_are_left_out() -> None:
    history = _history(13)
    history[DAY] = 44.0  # this morning's own value (already stored)
    history[DAY + timedelta(days=3)] = 44.0
    got = compare_with_normal_range(44.0, DAY, history)
    assert got.position is RangePosition.TOO_FEW_DAYS and got.days_counted == 13


def test_days_older_than_the_window_do_not_count() -> None:
    old = {DAY - timedelta(days=61 + k): 80.0 for k in range(30)}
    recent = _history(20)
    got = compare_with_normal_range(60.0, DAY, {**old, **recent})
    assert got.days_counted == 20
    assert got.high_ms is not None and got.high_ms < 60.0  # the old high values are gone


def test_settings_change_the_window_and_the_minimum() -> None:
    history = _history(10)
    settings = BaselineSettings(normal_days=30, normal_min_values=7)
    got = compare_with_normal_range(45.0, DAY, history, settings)
    assert got.position is not RangePosition.TOO_FEW_DAYS and got.days_counted == 10


def test_a_value_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        compare_with_normal_range(0.0, DAY, {})
    with pytest.raises(ValueError, match="positive"):
        compare_with_normal_range(math.nan, DAY, {})
