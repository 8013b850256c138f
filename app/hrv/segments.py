"""Contiguous segments of a recording: gaps (sensor drop-outs) split it, and nothing spans a gap.

A segment is given by the index of its first beat; `segment_starts` always begins with 0.
`gap_before[i]` True means the link dropped before beat i, so beat i starts a new segment.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.hrv.errors import InsufficientDataError, InvalidRRError

#: Fewest beats an analysis accepts.
MIN_BEATS = 10
#: Smallest RR accepted (ms): below the 1/1024 s resolution of a Bluetooth heart-rate strap.
MIN_RR_MS = 1.0
#: Largest RR accepted (ms): the largest value a 16-bit 1/1024 s RR field can carry.
MAX_RR_MS = 65_536.0

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def validate_rr(rr_ms: npt.ArrayLike, *, min_beats: int = MIN_BEATS) -> FloatArray:
    """A read-only float64 copy of `rr_ms`, or a clear refusal.

    Raises:
        InvalidRRError: not one-dimensional, not finite, or outside [MIN_RR_MS, MAX_RR_MS].
        InsufficientDataError: fewer than `min_beats` values.
    """
    try:
        rr = np.array(rr_ms, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidRRError(f"RR intervals must be numbers ({exc})") from None
    if rr.ndim != 1:
        raise InvalidRRError("RR intervals must be a one-dimensional series")
    if rr.size < min_beats:
        raise InsufficientDataError(f"too few beats: {rr.size} (at least {min_beats} are needed)")
    if not np.all(np.isfinite(rr)):
        raise InvalidRRError("RR intervals must be finite numbers")
    if float(rr.min()) < MIN_RR_MS or float(rr.max()) > MAX_RR_MS:
        raise InvalidRRError(
            f"RR intervals must lie between {MIN_RR_MS:g} and {MAX_RR_MS:g} ms "
            f"(found {float(rr.min()):g} to {float(rr.max()):g})"
        )
    rr.flags.writeable = False
    return rr


def starts_from_gaps(gap_before: npt.ArrayLike | None, n_beats: int) -> IntArray:
    """Segment starts (beginning with 0) from a per-beat `gap_before` flag array."""
    if gap_before is None:
        return np.zeros(1, dtype=np.intp)
    gaps = np.asarray(gap_before, dtype=bool)
    if gaps.shape != (n_beats,):
        raise InvalidRRError(
            f"gap_before must have one flag per beat ({n_beats}), not shape {gaps.shape}"
        )
    return normalise_starts(np.flatnonzero(gaps), n_beats)


def normalise_starts(segment_starts: npt.ArrayLike | None, n_beats: int) -> IntArray:
    """Sorted unique segment starts within [0, n_beats), always including 0."""
    if segment_starts is None:
        return np.zeros(1, dtype=np.intp)
    starts = np.asarray(segment_starts, dtype=np.intp).ravel()
    starts = starts[(starts > 0) & (starts < n_beats)]
    return np.unique(np.concatenate([np.zeros(1, dtype=np.intp), starts]))


def segment_ends(segment_starts: IntArray, n_beats: int) -> IntArray:
    """One past the last beat of each segment."""
    return np.append(segment_starts[1:], n_beats).astype(np.intp)


def diff_mask(segment_starts: IntArray, n_beats: int) -> BoolArray:
    """For each of the n-1 successive differences: True if both beats are in one segment."""
    mask = np.ones(max(n_beats - 1, 0), dtype=bool)
    inner = segment_starts[segment_starts > 0]
    mask[inner - 1] = False
    return mask


def successive_differences(rr_ms: FloatArray, segment_starts: IntArray) -> FloatArray:
    """rr[i+1] - rr[i] for every pair of neighbours in the same segment (never across a gap)."""
    diffs = np.diff(rr_ms)
    return diffs[diff_mask(segment_starts, rr_ms.size)]


def last_unbroken_run(
    t_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    after_s: float,
    at_s: float,
    *,
    min_beats: int,
) -> FloatArray | None:
    """The RR (ms) of the last run of beats timed in (`after_s`, `at_s`] with no gap and no beat
    left out (NaN time, e.g. paused) inside it; None when fewer than `min_beats` beats lie in that
    span or the run holds an interval that is not a positive number."""
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = np.zeros(t.size, dtype=np.bool_) if gap_before is None else np.asarray(gap_before)
    idx = np.flatnonzero(np.isfinite(t) & (t > after_s) & (t <= at_s))
    if idx.size < min_beats:
        return None
    breaks = np.asarray(gaps[idx], dtype=np.bool_).copy()
    breaks[1:] |= np.diff(idx) > 1  # a beat left out (paused) breaks the run too
    breaks[0] = False
    starts = np.flatnonzero(breaks)
    run = rr[idx[int(starts[-1]) :] if starts.size else idx]
    if not np.all(np.isfinite(run)) or np.any(run <= 0):
        return None
    return run
