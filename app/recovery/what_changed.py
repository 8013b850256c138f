"""What changed in the resting HRV, in one plain sentence for under the Home chart.

The sentence is about the lnRMSSD table (`app.recovery.baseline`) and speaks in milliseconds:
the 7-day baseline and the normal range are shown as `exp` of their ln values (the 7-day value
is then the geometric mean of the days' RMSSD, and the range keeps its meaning because `exp` keeps
the order). It says two things:

- where this week's resting HRV sits: within, above or below the person's normal range (the
  table's status on its last day);
- how it moved: the 7-day baseline now against the 7-day baseline up to three weeks earlier.
  A move counts as rising or falling when it is larger than half the normal range's width
  (0.5 x SD of the last 60 days, the smallest change worth naming in the HRV-guided training
  literature); smaller moves are "steady". The span used is the longest of 3, 2 or 1 weeks for
  which the earlier baseline exists.

Too little data says what is missing instead (how many more days with a value draw the normal
range, or that a week more is needed for a trend).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app.recovery.baseline import STATUS_ABOVE, STATUS_BELOW, STATUS_WITHIN, BaselineTable

#: Spans (days) tried for the trend, longest first.
TREND_SPANS_DAYS = (21, 14, 7)


class Position(StrEnum):
    """Where the last 7-day baseline sits against the normal range."""

    WITHIN = "within"
    ABOVE = "above"
    BELOW = "below"


class Direction(StrEnum):
    """How the 7-day baseline moved over the span."""

    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """The sentence and the facts behind it (None where the data cannot say)."""

    text: str
    position: Position | None = None
    direction: Direction | None = None
    span_days: int = 0
    baseline_ms: float | None = None
    normal_low_ms: float | None = None
    normal_high_ms: float | None = None
    more_days_needed: int = 0


_POSITION_WORDS = {
    Position.WITHIN: "within your normal range",
    Position.ABOVE: "above your normal range",
    Position.BELOW: "below your normal range",
}
_DIRECTION_WORDS = {
    Direction.RISING: "has risen",
    Direction.FALLING: "has fallen",
    Direction.STEADY: "has stayed steady",
}
_STATUS_POSITION = {
    STATUS_WITHIN: Position.WITHIN,
    STATUS_ABOVE: Position.ABOVE,
    STATUS_BELOW: Position.BELOW,
}


def _finite(x: float) -> bool:
    return not math.isnan(x)


def _weeks(span_days: int) -> str:
    weeks = span_days // 7
    return "a week" if weeks == 1 else f"{weeks} weeks"


def _direction(table: BaselineTable) -> tuple[Direction | None, int]:
    """The move of the 7-day baseline over the longest available span, and that span."""
    baseline = np.asarray(table.baseline_7d, dtype=np.float64)
    last = len(table) - 1
    now = float(baseline[last])
    low, high = float(table.normal_low[last]), float(table.normal_high[last])
    if not (_finite(now) and _finite(low) and _finite(high)):
        return None, 0
    threshold = (high - low) / 2.0  # = 0.5 x SD of the normal window
    for span in TREND_SPANS_DAYS:
        then_index = last - span
        if then_index < 0:
            continue
        then = float(baseline[then_index])
        if not _finite(then):
            continue
        change = now - then
        if change > threshold:
            return Direction.RISING, span
        if change < -threshold:
            return Direction.FALLING, span
        return Direction.STEADY, span
    return None, 0


def describe_change(table: BaselineTable) -> ChangeSummary:
    """The sentence for the lnRMSSD table's last day (see the module docstring)."""
    cfg = table.settings
    if len(table) == 0:
        return ChangeSummary(
            "Your resting HRV appears here after your first morning check or log entry.",
            more_days_needed=cfg.normal_min_values,
        )
    last = len(table) - 1
    missing = max(0, cfg.normal_min_values - int(table.n_normal[last]))
    status = table.status[last]
    if status is None:
        if missing > 0:
            days = "1 more day" if missing == 1 else f"{missing} more days"
            text = (
                f"Too early to say what changed: {days} with a value will draw your normal range."
            )
        else:
            text = (
                "Too few days this week to say what changed: a morning check or a log "
                "entry on a few more days will do."
            )
        return ChangeSummary(text, more_days_needed=missing)
    position = _STATUS_POSITION[status]
    baseline_ms = math.exp(float(table.baseline_7d[last]))
    low_ms = math.exp(float(table.normal_low[last]))
    high_ms = math.exp(float(table.normal_high[last]))
    direction, span = _direction(table)
    head = (
        f"Your resting HRV ({baseline_ms:.0f} ms this week) is {_POSITION_WORDS[position]} "
        f"({low_ms:.0f}\u2013{high_ms:.0f} ms)"
    )
    if direction is None:
        text = f"{head}; a trend needs one more week of values."
    else:
        text = f"{head} and {_DIRECTION_WORDS[direction]} over {_weeks(span)}."
    return ChangeSummary(
        text,
        position=position,
        direction=direction,
        span_days=span,
        baseline_ms=baseline_ms,
        normal_low_ms=low_ms,
        normal_high_ms=high_ms,
    )
