"""How one morning's HRV compares with the person's own normal range, in plain words.

The normal range is the baseline table's (`app.recovery.baseline`): over a 60-day window, the
mean -/+ 0.5 x SD (ddof=1) of the daily lnRMSSD values, once the window holds at least 14 of
them. For one morning it is taken over the 60 days *before* that morning (the table's range as
it stood the day before), so a value is never part of its own reference; the bounds are shown in
ms (exp of the ln bounds), the unit people know from their watch. The words compare numbers only
(higher HRV is the rested direction, as in `app.recovery.reading`): below reads "go gently",
never a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.recovery.baseline import BaselineSettings


class RangePosition(StrEnum):
    """Where a value lies against the normal range, or that there is no range yet."""

    BELOW = "below"
    WITHIN = "within"
    ABOVE = "above"
    TOO_FEW_DAYS = "too_few_days"


@dataclass(frozen=True, slots=True)
class RangeComparison:
    """One morning's HRV against the normal range of the days before it.

    `low_ms`/`high_ms` are None while there are too few days; `days_counted` is how many days
    with a value the window holds and `more_days_needed` how many more a range needs.
    """

    rmssd_ms: float
    position: RangePosition
    low_ms: float | None
    high_ms: float | None
    days_counted: int
    more_days_needed: int

    @property
    def decimals(self) -> int:
        """Whole milliseconds, unless rounding would blur the comparison (a value just below
        the range shown as "39 ms, below 39-42 ms"): then as many decimals as tell them apart."""
        if self.low_ms is None or self.high_ms is None:
            return 0
        within = self.position is RangePosition.WITHIN
        for places in (0, 1):
            value, low, high = (
                round(v, places) for v in (self.rmssd_ms, self.low_ms, self.high_ms)
            )
            if (low <= value <= high) == within:
                return places
        return 2

    @property
    def range_text(self) -> str:
        """The range as people read it: "35-48 ms" (empty without a range)."""
        if self.low_ms is None or self.high_ms is None:
            return ""
        places = self.decimals
        return f"{self.low_ms:.{places}f}\u2013{self.high_ms:.{places}f} ms"

    @property
    def sentence(self) -> str:
        """One plain sentence about this morning's value."""
        value = f"{self.rmssd_ms:.{self.decimals}f} ms"
        if self.position is RangePosition.TOO_FEW_DAYS:
            days = "morning" if self.days_counted == 1 else "mornings"
            more = "morning" if self.more_days_needed == 1 else "mornings"
            return (
                f"Your HRV this morning is {value}. Your own normal range appears after "
                f"{self.days_counted + self.more_days_needed} mornings: you have "
                f"{self.days_counted} {days} so far, {self.more_days_needed} more {more} to go."
            )
        if self.position is RangePosition.WITHIN:
            return (
                f"Your HRV this morning, {value}, is within your normal range ({self.range_text})."
            )
        if self.position is RangePosition.BELOW:
            return (
                f"Your HRV this morning, {value}, is below your normal range "
                f"({self.range_text}): go gently today."
            )
        return (
            f"Your HRV this morning, {value}, is above your normal range ({self.range_text}): "
            "enjoy it, there is no need to push."
        )


def compare_with_normal_range(
    rmssd_ms: float,
    day: date,
    daily_rmssd_ms: Mapping[date, float],
    settings: BaselineSettings | None = None,
) -> RangeComparison:
    """Compare `rmssd_ms` measured on `day` with the normal range of the days before it.

    `daily_rmssd_ms` holds each day's chosen RMSSD (`DailyValues.rmssd_ms`); values on `day`
    or later are left out, as are values that are not positive and finite.
    """
    if not (math.isfinite(rmssd_ms) and rmssd_ms > 0):
        raise ValueError("rmssd_ms must be a positive number")
    cfg = settings or BaselineSettings()
    first = day - timedelta(days=cfg.normal_days)
    logs = [
        math.log(v)
        for d, v in daily_rmssd_ms.items()
        if first <= d < day and math.isfinite(v) and v > 0
    ]
    n = len(logs)
    if n < cfg.normal_min_values:
        return RangeComparison(
            rmssd_ms=float(rmssd_ms),
            position=RangePosition.TOO_FEW_DAYS,
            low_ms=None,
            high_ms=None,
            days_counted=n,
            more_days_needed=cfg.normal_min_values - n,
        )
    mean = sum(logs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / (n - 1))
    low = mean - cfg.normal_sd_factor * sd
    high = mean + cfg.normal_sd_factor * sd
    value = math.log(rmssd_ms)
    if value < low:
        position = RangePosition.BELOW
    elif value > high:
        position = RangePosition.ABOVE
    else:
        position = RangePosition.WITHIN
    return RangeComparison(
        rmssd_ms=float(rmssd_ms),
        position=position,
        low_ms=math.exp(low),
        high_ms=math.exp(high),
        days_counted=n,
        more_days_needed=0,
    )
