"""Evenly resampling an RR series: a natural cubic spline through (beat time, RR), sampled at 4 Hz.

Beat i sits at the time its interval ends (cumulative sum of the RR of its segment). The spline's
tridiagonal system is solved with LAPACK through `scipy.linalg.solve_banded` (O(N)); evaluation is
vectorised NumPy. A gap is never bridged: `resample_segments` fits every gap-free segment on its own
(one block-diagonal system for all of them, so the cost does not grow with the number of gaps).
"""

from __future__ import annotations

import numpy as np

from app.hrv.segments import FloatArray, IntArray, normalise_starts, segment_ends

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
    return resample_segments(rr_ms, None, fs_hz)[0]


def resample_segments(
    rr_ms: FloatArray, segment_starts: IntArray | None, fs_hz: float = RESAMPLE_HZ
) -> list[FloatArray]:
    """Each gap-free segment of at least 2 beats, resampled on its own (natural cubic spline)."""
    starts = normalise_starts(segment_starts, rr_ms.size)
    lengths = segment_ends(starts, rr_ms.size) - starts
    keep = lengths >= 2
    starts, lengths = starts[keep], lengths[keep]
    if starts.size == 0:
        return []
    first = (np.cumsum(lengths) - lengths).astype(np.intp)  # segment starts in `values`
    last = first + lengths - 1
    beats = np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))
    values = rr_ms[beats]
    times = np.cumsum(values) / 1000.0  # segments laid end to end: strictly increasing
    h = np.diff(times)
    slope = np.diff(values) / h
    interior = np.ones(values.size, dtype=bool)
    interior[first] = False
    interior[last] = False
    knots = np.flatnonzero(interior)
    second = np.zeros(values.size)  # natural spline: zero curvature at every segment end
    if knots.size:
        from scipy.linalg import solve_banded  # imported on first use: lean start-up

        adjacent = np.diff(knots) == 1
        coupling = np.where(adjacent, h[knots[:-1]], 0.0)
        bands = np.zeros((3, knots.size))
        bands[0, 1:] = coupling
        bands[1] = 2.0 * (h[knots - 1] + h[knots])
        bands[2, :-1] = coupling
        rhs = 6.0 * (slope[knots] - slope[knots - 1])
        second[knots] = solve_banded((1, 1), bands, rhs, check_finite=False)
    counts = (np.floor((times[last] - times[first]) * fs_hz) + 1).astype(np.intp)
    segment = np.repeat(np.arange(counts.size), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    grid = times[first][segment] + offsets / fs_hz
    index = np.searchsorted(times, grid, side="right") - 1
    index = np.clip(index, first[segment], last[segment] - 1)
    step = h[index]
    left = grid - times[index]
    right = times[index + 1] - grid
    m0 = second[index]
    m1 = second[index + 1]
    resampled = (
        m0 * right**3 / (6.0 * step)
        + m1 * left**3 / (6.0 * step)
        + (values[index] / step - m0 * step / 6.0) * right
        + (values[index + 1] / step - m1 * step / 6.0) * left
    )
    return np.split(resampled, np.cumsum(counts)[:-1])
