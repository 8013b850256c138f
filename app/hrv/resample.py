"""Evenly resampling an RR series: a natural cubic spline through (beat time, RR), sampled at 4 Hz.

Beat i sits at the time its interval ends (cumulative sum of the RR of its segment). The spline's
tridiagonal system is solved with LAPACK through `scipy.linalg.solve_banded` (O(N)); evaluation is
vectorised NumPy. One call handles one contiguous segment: a gap is never bridged.
"""

from __future__ import annotations

import numpy as np

from app.hrv.segments import FloatArray

RESAMPLE_HZ = 4.0


def beat_times_s(rr_ms: FloatArray) -> FloatArray:
    """Time (s) at which each beat's interval ends, counted from the start of the segment."""
    times: FloatArray = np.cumsum(rr_ms) / 1000.0
    return times


def natural_cubic_spline(x: FloatArray, y: FloatArray, x_new: FloatArray) -> FloatArray:
    """Evaluate the natural cubic spline through strictly increasing `x` at `x_new`."""
    n = x.size
    if n < 3:
        result: FloatArray = np.interp(x_new, x, y)
        return result
    from scipy.linalg import solve_banded  # imported on first use: lean start-up

    h = np.diff(x)
    slope = np.diff(y) / h
    bands = np.zeros((3, n - 2))
    bands[0, 1:] = h[1:-1]
    bands[1] = 2.0 * (h[:-1] + h[1:])
    bands[2, :-1] = h[1:-1]
    rhs = 6.0 * np.diff(slope)
    second = np.zeros(n)
    second[1:-1] = solve_banded((1, 1), bands, rhs, check_finite=False)
    index = np.clip(np.searchsorted(x, x_new, side="right") - 1, 0, n - 2)
    step = h[index]
    left = x_new - x[index]
    right = x[index + 1] - x_new
    m0 = second[index]
    m1 = second[index + 1]
    result = (
        m0 * right**3 / (6.0 * step)
        + m1 * left**3 / (6.0 * step)
        + (y[index] / step - m0 * step / 6.0) * right
        + (y[index + 1] / step - m1 * step / 6.0) * left
    )
    return result


def resample_segment(rr_ms: FloatArray, fs_hz: float = RESAMPLE_HZ) -> FloatArray:
    """RR (ms) of one contiguous segment, sampled every 1/fs_hz s from its first to last beat."""
    times = beat_times_s(rr_ms)
    count = int(np.floor((times[-1] - times[0]) * fs_hz)) + 1
    grid = times[0] + np.arange(count) / fs_hz
    return natural_cubic_spline(times, rr_ms, grid)
