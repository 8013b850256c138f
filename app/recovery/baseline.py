"""The daily baseline table: a 7-day baseline against a 60-day normal range.

Definitions (issue 6; the same for the lnRMSSD table and the resting heart-rate table). For each
calendar day d from the first day with a value to the last, days without a value included:

- `value(d)`: the day's value or null (`ln_rmssd` for HRV, resting HR in bpm for heart rate).
- `baseline_7d(d)`: mean of the non-null values over days d-6..d; null with fewer than 3 values.
- `normal_low(d)`, `normal_high(d)`: over days d-59..d, mean -/+ 0.5 x SD (ddof=1) of the non-null
  values; null with fewer than 14 values.
- `status(d)`: "below" if baseline_7d < normal_low, "above" if baseline_7d > normal_high, else
  "within"; null when any of the three is null. The words compare numbers only: for lnRMSSD
  higher is the rested direction, for resting heart rate lower is (see `reading`).
- `cv_7d_pct(d)`: 100 x SD (ddof=1) / mean of the non-null values over d-6..d; null with fewer
  than 3 values.
- `source(d)` (in `trend --json`): where the day's value came from, "morning_check" or "manual"
  (`app.recovery.daily_values`); null when the day has no value.

Windows reach back before the first day only over days that have no value, so the first days
simply have fewer values. The computation is vectorised: each window is a fixed-width view over
the dense day array, so the cost is linear in the number of days (about 60 operations per day),
and the mean and SD are computed in two passes (no running-sum cancellation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

STATUS_BELOW = "below"
STATUS_WITHIN = "within"
STATUS_ABOVE = "above"

#: The JSON keys of `baseline trend --json`, in order.
TREND_KEYS = (
    "date",
    "ln_rmssd",
    "baseline_7d",
    "normal_low",
    "normal_high",
    "status",
    "cv_7d_pct",
    "source",
)


@dataclass(frozen=True, slots=True)
class BaselineSettings:
    """Window lengths and thresholds; the defaults are the issue's definitions."""

    baseline_days: int = 7
    baseline_min_values: int = 3
    normal_days: int = 60
    normal_min_values: int = 14
    normal_sd_factor: float = 0.5

    def __post_init__(self) -> None:
        if self.baseline_days < 1 or self.normal_days < 1:
            raise ValueError("window lengths must be at least one day")
        if self.baseline_min_values < 2 or self.normal_min_values < 2:
            raise ValueError("a standard deviation needs at least 2 values")
        if self.normal_sd_factor <= 0:
            raise ValueError("normal_sd_factor must be positive")


@dataclass(frozen=True, slots=True)
class BaselineRow:
    """One day of the table; None stands for null."""

    date: date
    value: float | None
    baseline_7d: float | None
    normal_low: float | None
    normal_high: float | None
    status: str | None
    cv_7d_pct: float | None


@dataclass(frozen=True, eq=False)
class BaselineTable:
    """The table as read-only arrays, ready to plot (NaN = null), one entry per calendar day.

    `day_index` is days since `first_day` (0, 1, 2, ...); `dates` holds numpy datetime64[D].
    `n_normal` is the number of values in each day's 60-day window (to say how many more days a
    normal range needs), `n_baseline` the same for the 7-day window.
    """

    first_day: date | None
    dates: npt.NDArray[np.datetime64]
    value: FloatArray
    baseline_7d: FloatArray
    normal_low: FloatArray
    normal_high: FloatArray
    cv_7d_pct: FloatArray
    status: tuple[str | None, ...]
    n_baseline: npt.NDArray[np.int64]
    n_normal: npt.NDArray[np.int64]
    settings: BaselineSettings

    def __len__(self) -> int:
        return len(self.status)

    @property
    def last_day(self) -> date | None:
        if self.first_day is None or not len(self):
            return None
        return self.first_day + timedelta(days=len(self) - 1)

    def day(self, i: int) -> date:
        assert self.first_day is not None
        return self.first_day + timedelta(days=i if i >= 0 else len(self) + i)

    def row(self, i: int) -> BaselineRow:
        return BaselineRow(
            date=self.day(i),
            value=_opt(self.value[i]),
            baseline_7d=_opt(self.baseline_7d[i]),
            normal_low=_opt(self.normal_low[i]),
            normal_high=_opt(self.normal_high[i]),
            status=self.status[i],
            cv_7d_pct=_opt(self.cv_7d_pct[i]),
        )

    def rows(self) -> tuple[BaselineRow, ...]:
        return tuple(self.row(i) for i in range(len(self)))

    def last(self, n_days: int) -> BaselineTable:
        """The table limited to its last `n_days` days (the windows keep their full history)."""
        if n_days < 1:
            raise ValueError("n_days must be at least 1")
        start = max(0, len(self) - n_days)
        if start == 0:
            return self
        first = self.day(start)
        return BaselineTable(
            first_day=first,
            dates=_ro(self.dates[start:]),
            value=_ro(self.value[start:]),
            baseline_7d=_ro(self.baseline_7d[start:]),
            normal_low=_ro(self.normal_low[start:]),
            normal_high=_ro(self.normal_high[start:]),
            cv_7d_pct=_ro(self.cv_7d_pct[start:]),
            status=self.status[start:],
            n_baseline=_ro(self.n_baseline[start:]),
            n_normal=_ro(self.n_normal[start:]),
            settings=self.settings,
        )

    def to_json_rows(
        self, value_key: str = "ln_rmssd", sources: Mapping[date, str] | None = None
    ) -> list[dict[str, Any]]:
        """Rows as JSON-ready dicts, oldest first, with the `trend --json` keys.

        `source` is the day's entry in `sources` (null for a day without a value).
        """
        known = sources or {}
        out: list[dict[str, Any]] = []
        for r in self.rows():
            source = known.get(r.date) if r.value is not None else None
            out.append(
                {
                    "date": r.date.isoformat(),
                    value_key: r.value,
                    "baseline_7d": r.baseline_7d,
                    "normal_low": r.normal_low,
                    "normal_high": r.normal_high,
                    "status": r.status,
                    "cv_7d_pct": r.cv_7d_pct,
                    "source": None if source is None else str(source),
                }
            )
        return out


def _opt(x: np.floating[Any] | float) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


def _ro(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def dense_days(values: Mapping[date, float | None]) -> tuple[date | None, FloatArray]:
    """Spread sparse day values over every calendar day from the first to the last non-null one.

    Returns the first day and a float array with NaN for days without a value.
    """
    present = {d: float(v) for d, v in values.items() if v is not None and np.isfinite(v)}
    if not present:
        return None, np.empty(0, dtype=np.float64)
    first = min(present)
    last = max(present)
    dense = np.full((last - first).days + 1, np.nan, dtype=np.float64)
    idx = np.fromiter(((d - first).days for d in present), dtype=np.int64, count=len(present))
    dense[idx] = np.fromiter(present.values(), dtype=np.float64, count=len(present))
    return first, dense


def _window_stats(
    dense: FloatArray, width: int
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray]:
    """Count, mean and SD (ddof=1) of the non-NaN values over each trailing window of `width`.

    Mean is NaN with no value, SD NaN with fewer than two.
    """
    n = dense.size
    padded = np.concatenate([np.full(width - 1, np.nan), dense])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)  # (n, width), a view
    valid = ~np.isnan(windows)
    counts = valid.sum(axis=1).astype(np.int64)
    filled = np.where(valid, windows, 0.0)
    safe = np.maximum(counts, 1)
    mean = filled.sum(axis=1) / safe
    dev = np.where(valid, windows - mean[:, None], 0.0)
    ss = (dev * dev).sum(axis=1)
    sd = np.sqrt(ss / np.maximum(counts - 1, 1))
    mean = np.where(counts >= 1, mean, np.nan)
    sd = np.where(counts >= 2, sd, np.nan)
    assert mean.shape == (n,)
    return counts, mean, sd


def baseline_from_dense(
    first_day: date | None, dense: FloatArray, settings: BaselineSettings | None = None
) -> BaselineTable:
    """The table for a dense day array (NaN = no value) starting at `first_day`."""
    cfg = settings or BaselineSettings()
    dense = np.asarray(dense, dtype=np.float64)
    n = dense.size
    if n == 0 or first_day is None:
        empty = np.empty(0, dtype=np.float64)
        return BaselineTable(
            first_day=None,
            dates=_ro(np.empty(0, dtype="datetime64[D]")),
            value=_ro(empty),
            baseline_7d=_ro(empty),
            normal_low=_ro(empty),
            normal_high=_ro(empty),
            cv_7d_pct=_ro(empty),
            status=(),
            n_baseline=_ro(np.empty(0, dtype=np.int64)),
            n_normal=_ro(np.empty(0, dtype=np.int64)),
            settings=cfg,
        )
    n7, mean7, sd7 = _window_stats(dense, cfg.baseline_days)
    n60, mean60, sd60 = _window_stats(dense, cfg.normal_days)
    enough7 = n7 >= cfg.baseline_min_values
    enough60 = n60 >= cfg.normal_min_values
    baseline = np.where(enough7, mean7, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(enough7 & (mean7 != 0), 100.0 * sd7 / mean7, np.nan)
    half_band = cfg.normal_sd_factor * sd60
    low = np.where(enough60, mean60 - half_band, np.nan)
    high = np.where(enough60, mean60 + half_band, np.nan)
    status: list[str | None] = []
    for b, lo, hi in zip(baseline.tolist(), low.tolist(), high.tolist(), strict=True):
        if np.isnan(b) or np.isnan(lo) or np.isnan(hi):
            status.append(None)
        elif b < lo:
            status.append(STATUS_BELOW)
        elif b > hi:
            status.append(STATUS_ABOVE)
        else:
            status.append(STATUS_WITHIN)
    dates = np.datetime64(first_day.isoformat(), "D") + np.arange(n)
    return BaselineTable(
        first_day=first_day,
        dates=_ro(dates),
        value=_ro(dense),
        baseline_7d=_ro(baseline),
        normal_low=_ro(low),
        normal_high=_ro(high),
        cv_7d_pct=_ro(cv),
        status=tuple(status),
        n_baseline=_ro(n7),
        n_normal=_ro(n60),
        settings=cfg,
    )


def baseline_table(
    values: Mapping[date, float | None], settings: BaselineSettings | None = None
) -> BaselineTable:
    """The baseline table for sparse day values (already on the scale to average, e.g. ln)."""
    first, dense = dense_days(values)
    return baseline_from_dense(first, dense, settings)
