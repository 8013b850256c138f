"""Everything the "over weeks" side of the home screen needs, in one immutable value.

`load_overview(store)` reads the store once and returns the lnRMSSD and resting heart-rate
tables (read-only arrays, NaN = no value, ready to plot), the log overlays aligned with the lnRMSSD
days, the plain-language readings, the sentence saying what changed (`what_changed`), the
recovery-speed trend, and today's inputs. Qt-free: a page calls it (on a worker thread if it
likes) and draws the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from app.recovery.baseline import BaselineSettings, BaselineTable
from app.recovery.daily_values import (
    LOG_OVERLAYS,
    DailyValues,
    ReadinessSource,
    daily_values,
    ln_rmssd_table,
    log_overlay,
    resting_hr_table,
)
from app.recovery.reading import Metric, Reading, read_state
from app.recovery.recovery_history import recovery_points
from app.recovery.recovery_speed import (
    RecoveryComparison,
    RecoveryPoint,
    WeekSummary,
    compare_with_month_ago,
    weekly_summary,
)
from app.recovery.what_changed import ChangeSummary, describe_change
from app.store import Store
from app.store.daily import log_entry, moments_of_ease
from app.store.records import LogEntry


@dataclass(frozen=True)
class BaselineOverview:
    """The baseline view's data; arrays are read-only."""

    today: date
    daily: DailyValues
    ln_rmssd: BaselineTable
    resting_hr: BaselineTable
    overlays: dict[str, npt.NDArray[np.float64]]
    ln_rmssd_reading: Reading
    resting_hr_reading: Reading
    hrv_change: ChangeSummary
    recovery: tuple[RecoveryPoint, ...]
    recovery_weeks: tuple[WeekSummary, ...]
    recovery_comparison: RecoveryComparison
    today_log: LogEntry | None
    today_moments: tuple[str, ...]
    today_rmssd_ms: float | None
    today_rmssd_from: str | None


def load_overview(
    store: Store,
    today: date,
    *,
    source: ReadinessSource | None = None,
    settings: BaselineSettings | None = None,
    with_recovery: bool = True,
) -> BaselineOverview:
    """Read the store and compute the whole baseline view for `today`."""
    daily = daily_values(store, source)
    ln = ln_rmssd_table(daily, settings)
    hr = resting_hr_table(daily, settings)
    points = tuple(recovery_points(store, hr)) if with_recovery else ()
    overlays = {name: log_overlay(ln, daily, name) for name in LOG_OVERLAYS}
    return BaselineOverview(
        today=today,
        daily=daily,
        ln_rmssd=ln,
        resting_hr=hr,
        overlays=overlays,
        ln_rmssd_reading=read_state(ln, Metric.LN_RMSSD),
        resting_hr_reading=read_state(hr, Metric.RESTING_HR),
        hrv_change=describe_change(ln),
        recovery=points,
        recovery_weeks=weekly_summary(points),
        recovery_comparison=compare_with_month_ago(points, today),
        today_log=log_entry(store, today.isoformat()),
        today_moments=moments_of_ease(store, today.isoformat()),
        today_rmssd_ms=daily.rmssd_ms.get(today),
        today_rmssd_from=daily.rmssd_from.get(today),
    )
