"""Evenly resampling an RR series: a natural cubic spline through (beat time, RR), sampled at 4 Hz.

Beat i sits at the time its interval ends (cumulative sum of the RR of its segment). The spline's
tridiagonal system is solved by odd-even cyclic reduction (`solve_tridiagonal`: O(N) work in
log2(N) vectorised NumPy steps, no Python loop over beats); evaluation is vectorised NumPy. A gap
is never bridged: `resample_segments` fits every gap-free segment on its own (one block-diagonal
system for all of them, so the cost does not grow with the number of gaps).
"""

from __future__ import annotations

import numpy as np

from app.hrv.segments import FloatArray, IntArray, normalise_starts, segment_ends

RESAMPLE_HZ = 4.0
#: Cyclic reduction hands systems of at most this many rows to a dense solve (NumPy's LAPACK).
_DENSE_MAX_ROWS = 48


def beat_times_s(rr_ms: FloatArray) -> FloatArray:
    """Time (s) at which each beat's interval ends, counted from the start of the segment."""
    times: FloatArray = np.cumsum(rr_ms) / 1000.0
    return times


def solve_tridiagonal(
    lower: FloatArray, diagonal: FloatArray, upper: FloatArray, rhs: FloatArray
) -> FloatArray:
    """x with lower[i-1] x[i-1] + diagonal[i] x[i] + upper[i] x[i+1] = rhs[i] (odd-even cyclic
    reduction).

    `lower` and `upper` have one element fewer than `diagonal`. Each step eliminates the
    odd-numbered unknowns from the even-numbered rows, halving the system; the odd unknowns then
    follow from their solved neighbours. No pivoting: meant for strictly diagonally dominant
    systems, which stay so under the reduction (as accurate as LAPACK's banded solver: tests/hrv/
    test_numpy_kernels.py). Chosen over Jacobi sweeps (error halves per sweep, ~55 sweeps):
    log2(N) steps of shrinking vectors, exact up to rounding; the last few dozen rows go to one
    dense LAPACK solve.
    A spline's rows (h[i-1], 2 (h[i-1] + h[i]), h[i]) have off-diagonals summing to half the
    diagonal; rows of different segments are decoupled by zeros.
    """
    n = diagonal.size
    if n == 0:
        return np.zeros(0)
    below = np.zeros(n)  # coefficient of x[i-1] in row i
    above = np.zeros(n)  # coefficient of x[i+1] in row i
    below[1:] = lower
    above[:-1] = upper
    return _reduce(
        below, np.asarray(diagonal, dtype=np.float64), above, np.asarray(rhs, dtype=np.float64)
    )


def _reduce(below: FloatArray, diag: FloatArray, above: FloatArray, rhs: FloatArray) -> FloatArray:
    n = diag.size
    if n <= _DENSE_MAX_ROWS:  # a few dozen rows: one LAPACK call beats more halving steps
        matrix = np.diag(diag) + np.diag(below[1:], -1) + np.diag(above[:-1], 1)
        solved: FloatArray = np.asarray(np.linalg.solve(matrix, rhs), dtype=np.float64)
        return solved
    even = slice(0, None, 2)
    n_even = (n + 1) // 2
    # Neighbours of each even row (row i-1 and row i+1); rows beyond the ends are x = 0 rows.
    prev_below, prev_diag, prev_above, prev_rhs = (np.ones(n_even) for _ in range(4))
    next_below, next_diag, next_above, next_rhs = (np.ones(n_even) for _ in range(4))
    prev_below[0] = prev_above[0] = prev_rhs[0] = 0.0
    prev_below[1:], prev_diag[1:] = below[1::2][: n_even - 1], diag[1::2][: n_even - 1]
    prev_above[1:], prev_rhs[1:] = above[1::2][: n_even - 1], rhs[1::2][: n_even - 1]
    n_next = n // 2  # even rows that have a row after them
    next_below[n_next:] = next_above[n_next:] = next_rhs[n_next:] = 0.0
    next_below[:n_next], next_diag[:n_next] = below[1::2], diag[1::2]
    next_above[:n_next], next_rhs[:n_next] = above[1::2], rhs[1::2]
    alpha = -below[even] / prev_diag
    gamma = -above[even] / next_diag
    x = np.empty(n)
    x[even] = _reduce(
        alpha * prev_below,
        diag[even] + alpha * prev_above + gamma * next_below,
        gamma * next_above,
        rhs[even] + alpha * prev_rhs + gamma * next_rhs,
    )
    odd = slice(1, None, 2)
    left = x[0:-1:2][: n // 2]
    right = np.zeros(n // 2)
    right[: (n - 1) // 2] = x[2::2]
    x[odd] = (rhs[odd] - below[odd] * left - above[odd] * right) / diag[odd]
    return x


def natural_cubic_spline(x: FloatArray, y: FloatArray, x_new: FloatArray) -> FloatArray:
    """Evaluate the natural cubic spline through strictly increasing `x` at `x_new`."""
    n = x.size
    if n < 3:
        result: FloatArray = np.interp(x_new, x, y)
        return result
    h = np.diff(x)
    slope = np.diff(y) / h
    coupling = h[1:-1]
    second = np.zeros(n)
    second[1:-1] = solve_tridiagonal(
        coupling, 2.0 * (h[:-1] + h[1:]), coupling, 6.0 * np.diff(slope)
    )
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
        adjacent = np.diff(knots) == 1
        coupling = np.where(adjacent, h[knots[:-1]], 0.0)
        diagonal = 2.0 * (h[knots - 1] + h[knots])
        rhs = 6.0 * (slope[knots] - slope[knots - 1])
        second[knots] = solve_tridiagonal(coupling, diagonal, coupling, rhs)
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
