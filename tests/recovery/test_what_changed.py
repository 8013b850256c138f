"""The sentence under the Home chart: where the resting HRV sits and how it moved, in ms."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from app.recovery.baseline import BaselineTable, baseline_table
from app.recovery.what_changed import ChangeSummary, Direction, Position, describe_change

D0 = date(2026, 1, 1)


def table(levels: list[float], wobble: float) -> BaselineTable:
    """lnRMSSD days from D0 following `levels`, with an alternating day-to-day wobble."""
    return baseline_table(
        {D0 + timedelta(days=i): x + (wobble if i % 2 else -wobble) for i, x in enumerate(levels)}
    )


def ramp(start: float, end: float, n: int) -> list[float]:
    return [start + (end - start) * (k + 1) / n for k in range(n)]


def check_facts(summary: ChangeSummary, t: BaselineTable) -> None:
    """The numbers in the summary are the table's last day, in ms."""
    last = len(t) - 1
    assert summary.baseline_ms == pytest.approx(math.exp(t.baseline_7d[last]))
    assert summary.normal_low_ms == pytest.approx(math.exp(t.normal_low[last]))
    assert summary.normal_high_ms == pytest.approx(math.exp(t.normal_high[last]))
    assert f"{summary.baseline_ms:.0f} ms this week" in summary.text


@pytest.mark.parametrize(
    ("levels", "wobble", "position", "direction", "where", "how"),
    [
        (
            [3.7] * 60,
            0.1,
            Position.WITHIN,
            Direction.STEADY,
            "within your normal range",
            "has stayed steady over 3 weeks",
        ),
        (
            [3.7] * 30 + [3.2] * 9 + ramp(3.2, 3.7, 21),
            0.3,
            Position.WITHIN,
            Direction.RISING,
            "within your normal range",
            "has risen over 3 weeks",
        ),
        (
            [3.7] * 30 + [4.1] * 9 + ramp(4.1, 3.6, 21),
            0.25,
            Position.WITHIN,
            Direction.FALLING,
            "within your normal range",
            "has fallen over 3 weeks",
        ),
        (
            [3.7] * 39 + ramp(3.7, 4.2, 21),
            0.1,
            Position.ABOVE,
            Direction.RISING,
            "above your normal range",
            "has risen over 3 weeks",
        ),
        (
            [3.6] * 32 + [4.1] * 28,
            0.1,
            Position.ABOVE,
            Direction.STEADY,
            "above your normal range",
            "has stayed steady over 3 weeks",
        ),
        (
            [3.7] * 39 + ramp(3.7, 3.2, 21),
            0.1,
            Position.BELOW,
            Direction.FALLING,
            "below your normal range",
            "has fallen over 3 weeks",
        ),
        (
            [3.8] * 32 + [3.3] * 28,
            0.1,
            Position.BELOW,
            Direction.STEADY,
            "below your normal range",
            "has stayed steady over 3 weeks",
        ),
    ],
    ids=[
        "within-steady",
        "within-rising",
        "within-falling",
        "above-rising",
        "above-steady",
        "below-falling",
        "below-steady",
    ],
)
def test_position_and_direction(
    levels: list[float],
    wobble: float,
    position: Position,
    direction: Direction,
    where: str,
    how: str,
) -> None:
    t = table(levels, wobble)
    summary = describe_change(t)
    assert summary.position is position
    assert summary.direction is direction
    assert summary.span_days == 21
    assert f" is {where} (" in summary.text
    assert summary.text.endswith(f") and {how}.")
    assert summary.text.startswith("Your resting HRV (")
    check_facts(summary, t)
    # Independently: the move over 3 weeks against half the range's width (0.5 SD).
    base = np.asarray(t.baseline_7d)
    move = base[-1] - base[-22]
    half = (t.normal_high[-1] - t.normal_low[-1]) / 2
    assert (move > half) == (direction is Direction.RISING)
    assert (move < -half) == (direction is Direction.FALLING)


def test_the_range_is_the_tables_in_ms() -> None:
    t = table([3.7] * 60, 0.1)
    summary = describe_change(t)
    low_ms, mid_ms, high_ms = summary.normal_low_ms, summary.baseline_ms, summary.normal_high_ms
    assert low_ms is not None and mid_ms is not None and high_ms is not None
    assert low_ms < mid_ms < high_ms
    low, high = round(low_ms), round(high_ms)
    assert f"({low}\u2013{high} ms)" in summary.text


def test_shorter_span_when_three_weeks_back_has_no_baseline() -> None:
    """17 days in a row: the range exists, the baseline two weeks back too, three weeks not."""
    t = table([3.7] * 17, 0.1)
    summary = describe_change(t)
    assert summary.span_days == 14
    assert summary.direction is Direction.STEADY
    assert "over 2 weeks" in summary.text


def test_no_days_at_all() -> None:
    summary = describe_change(baseline_table({}))
    assert summary.position is None and summary.direction is None
    assert summary.more_days_needed == 14
    assert "first morning check or log entry" in summary.text


@pytest.mark.parametrize(("n", "days"), [(1, "13 more days"), (13, "1 more day ")])
def test_too_few_days_for_a_range(n: int, days: str) -> None:
    summary = describe_change(table([3.7] * n, 0.1))
    assert summary.position is None and summary.direction is None
    assert summary.more_days_needed == 14 - n
    assert summary.text.startswith("Too early to say what changed")
    assert days in summary.text


def test_too_few_days_this_week() -> None:
    """A range exists but the last week has one value: no 7-day baseline, nothing to compare."""
    values = {D0 + timedelta(days=i): 3.7 for i in range(20)}
    values[D0 + timedelta(days=26)] = 3.7
    summary = describe_change(baseline_table(values))
    assert summary.position is None and summary.more_days_needed == 0
    assert summary.text.startswith("Too few days this week")


def test_range_without_a_baseline_a_week_back_asks_for_another_week() -> None:
    """14 values, most in the last week: the range and this week's baseline exist, but no
    earlier 7-day baseline at 1, 2 or 3 weeks back."""
    last = 40
    offsets = [0, 1, 2, 3, 4, 5, 6, 8, 11, 15, 19, 22, 26, 40]  # days before the last day
    values = {D0 + timedelta(days=last - k): 3.7 + 0.02 * (k % 3) for k in offsets}
    summary = describe_change(baseline_table(values))
    assert summary.position is Position.WITHIN
    assert summary.direction is None and summary.span_days == 0
    assert summary.text.endswith("a trend needs one more week of values.")
