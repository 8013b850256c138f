"""Time-domain HRV metrics (Task Force 1996), as plain functions of RR intervals in ms.

Successive differences never span a gap: pass `successive_differences(rr_ms, segment_starts)`
from `app.hrv.segments` to the difference-based metrics.
"""

from __future__ import annotations

import math

import numpy as np

from app.hrv.segments import FloatArray


def mean_rr_ms(rr_ms: FloatArray) -> float:
    """Mean RR interval."""
    return float(np.mean(rr_ms))


def mean_hr_bpm(rr_ms: FloatArray) -> float:
    """Mean heart rate as 60 000 / mean RR (the rate that matches the mean interval)."""
    return 60_000.0 / mean_rr_ms(rr_ms)


def sdnn_ms(rr_ms: FloatArray) -> float:
    """Standard deviation of the RR intervals (ddof = 1)."""
    return float(np.std(rr_ms, ddof=1))


def rmssd_ms(diffs_ms: FloatArray) -> float:
    """Root mean square of successive differences."""
    return math.sqrt(float(np.mean(np.square(diffs_ms))))


def ln_rmssd(diffs_ms: FloatArray) -> float:
    """Natural log of RMSSD (ms); -inf for a perfectly regular series."""
    value = rmssd_ms(diffs_ms)
    return math.log(value) if value > 0 else -math.inf


def pnn50_pct(diffs_ms: FloatArray) -> float:
    """Percentage of successive differences larger than 50 ms (over the N-1 differences)."""
    return 100.0 * float(np.count_nonzero(np.abs(diffs_ms) > 50.0)) / diffs_ms.size
