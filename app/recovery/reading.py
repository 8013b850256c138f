"""A plain-language reading of the baseline table: one short, warm sentence.

It describes the numbers and nothing more: no diagnosis, no medical meaning, no alarm. A low
lnRMSSD baseline (or a high resting heart-rate baseline) reads "go gently", never a warning.
The reading is about the table's last day; `as_of` says which day that is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np

from app.recovery.baseline import STATUS_ABOVE, STATUS_BELOW, STATUS_WITHIN, BaselineTable


class Metric(Enum):
    """Which table is read, and which direction is the rested one."""

    LN_RMSSD = "ln_rmssd"  # higher is the rested direction
    RESTING_HR = "resting_hr"  # lower is the rested direction


class Mood(Enum):
    """The tone of the reading, for a gentle colour or icon (never red, never an alarm)."""

    GETTING_STARTED = "getting_started"
    WITHIN = "within"
    GENTLE = "gentle"  # the less-rested direction: go gently
    BRIGHT = "bright"  # the rested direction


@dataclass(frozen=True, slots=True)
class Reading:
    """One sentence about the state, its tone, and how many more days a normal range needs."""

    text: str
    mood: Mood
    as_of: date | None
    days_in_a_row: int = 0
    more_days_needed: int = 0


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _run_length(statuses: tuple[str | None, ...], status: str) -> int:
    n = 0
    for s in reversed(statuses):
        if s != status:
            break
        n += 1
    return n


def read_state(table: BaselineTable, metric: Metric = Metric.LN_RMSSD) -> Reading:
    """The reading for the table's last day (see the module docstring for the tone)."""
    cfg = table.settings
    if len(table) == 0:
        return Reading(
            "No days yet: a morning check or a log entry starts your baseline.",
            Mood.GETTING_STARTED,
            None,
            more_days_needed=cfg.normal_min_values,
        )
    as_of = table.day(-1)
    missing = max(0, cfg.normal_min_values - int(table.n_normal[-1]))
    status = table.status[-1]
    if status is None:
        if missing > 0:
            text = f"Not enough days yet: {missing} more needed for your normal range."
        else:
            needed = max(0, cfg.baseline_min_values - int(table.n_baseline[-1]))
            text = (
                f"Your 7-day baseline needs {needed} more "
                f"{'day' if needed == 1 else 'days'} this week; any morning will do."
            )
        return Reading(text, Mood.GETTING_STARTED, as_of, more_days_needed=missing)
    if status == STATUS_WITHIN:
        return Reading(
            "Within your normal range.",
            Mood.WITHIN,
            as_of,
            days_in_a_row=_run_length(table.status, STATUS_WITHIN),
        )
    gentle_status = STATUS_BELOW if metric is Metric.LN_RMSSD else STATUS_ABOVE
    run = _run_length(table.status, status)
    if status == gentle_status:
        if metric is Metric.LN_RMSSD:
            text = (
                "Lower than usual today: go gently."
                if run == 1
                else f"Lower than usual for {_days(run)}: go gently."
            )
        else:
            text = (
                "Resting heart rate higher than usual today: go gently."
                if run == 1
                else f"Resting heart rate higher than usual for {_days(run)}: go gently."
            )
        return Reading(text, Mood.GENTLE, as_of, days_in_a_row=run)
    if metric is Metric.LN_RMSSD:
        text = "Higher than your usual range: enjoy it, there is no need to push."
    else:
        text = "Resting heart rate lower than usual: enjoy it, there is no need to push."
    return Reading(text, Mood.BRIGHT, as_of, days_in_a_row=run)


def days_until_normal_range(table: BaselineTable) -> int:
    """How many more days with a value the last day's normal range needs (0 when it has one)."""
    if len(table) == 0:
        return table.settings.normal_min_values
    return max(0, table.settings.normal_min_values - int(np.asarray(table.n_normal)[-1]))
