"""Nonlinear HRV: Poincaré SD1/SD2, DFA alpha1 (4-16 beats) and Baevsky's stress index.

* SD1 = SD(successive differences) / sqrt(2); SD2 = sqrt(2 SDNN² - SD1²) (both ddof = 1), which
  equals the spread of the Poincaré cloud across and along the identity line.
* DFA alpha1 (Peng 1995, as Kubios and pyhrv): the mean-removed series is integrated, cut into
  non-overlapping boxes of n = 4..16 beats, a least-squares line is removed per box, F(n) is the
  root mean square of what is left over all boxes, and alpha1 is the slope of log F(n) on log n.
  Boxes stay inside gap-free segments (each segment is integrated on its own).
* Stress index, Baevsky: SI = AMo / (2 Mo MxDMn), with AMo the percentage of RR in the fullest
  50 ms histogram bin, Mo the median RR (s) and MxDMn the RR range (s), all as Kubios defines them.
  Like Kubios, Baseline reports the square root of SI (a scale that stays readable: roughly 7-12 at
  rest; the raw SI would be its square).
"""

from __future__ import annotations

import math

import numpy as np

from app.hrv.segments import FloatArray, IntArray, segment_ends

DFA_SHORT_BOXES = tuple(range(4, 17))
#: Fewest beats (in boxes of 16) for DFA alpha1: at least 4 boxes of the longest size.
DFA_MIN_BEATS = 64
STRESS_BIN_MS = 50.0


def poincare_sd1_sd2(rr_ms: FloatArray, diffs_ms: FloatArray) -> tuple[float, float]:
    """SD1 and SD2 (ms) from the RR series and its within-segment successive differences."""
    sd1 = float(np.std(diffs_ms, ddof=1)) / math.sqrt(2.0)
    sd2_squared = 2.0 * float(np.var(rr_ms, ddof=1)) - sd1 * sd1
    return sd1, math.sqrt(max(sd2_squared, 0.0))


def dfa_alpha1(rr_ms: FloatArray, segment_starts: IntArray) -> float | None:
    """DFA short-term exponent over boxes of 4-16 beats; None if F(n) is zero or undefined.

    Vectorised over all segments at once: one gather per box size, whatever the number of gaps.
    """
    lengths = segment_ends(segment_starts, rr_ms.size) - segment_starts
    segment_of_beat = np.repeat(np.arange(lengths.size), lengths)
    means = np.add.reduceat(rr_ms, segment_starts) / lengths
    running = np.cumsum(rr_ms - means[segment_of_beat])
    before_segment = np.concatenate([[0.0], running])[segment_starts]
    profile = running - before_segment[segment_of_beat]  # integrated within each segment
    fluctuation = np.empty(len(DFA_SHORT_BOXES))
    for k, box in enumerate(DFA_SHORT_BOXES):
        boxes_per_segment = lengths // box
        n_boxes = int(boxes_per_segment.sum())
        if n_boxes == 0:
            return None
        first_box = np.cumsum(boxes_per_segment) - boxes_per_segment
        box_number = np.arange(n_boxes) - np.repeat(first_box, boxes_per_segment)
        box_start = np.repeat(segment_starts, boxes_per_segment) + box * box_number
        rows = profile[box_start[:, None] + np.arange(box)[None, :]]
        t = np.arange(box, dtype=np.float64) - (box - 1) / 2.0
        centred = rows - rows.mean(axis=1, keepdims=True)
        slope = (centred @ t) / float(t @ t)
        residual = centred - slope[:, None] * t[None, :]
        fluctuation[k] = math.sqrt(float(np.mean(residual**2)))
    if np.any(fluctuation <= 0) or not np.all(np.isfinite(fluctuation)):
        return None
    slope, _ = np.polyfit(np.log(DFA_SHORT_BOXES), np.log(fluctuation), 1)
    return float(slope)


def stress_index_sqrt(rr_ms: FloatArray) -> float | None:
    """Square root of Baevsky's stress index; None when the RR range is zero."""
    range_s = (float(rr_ms.max()) - float(rr_ms.min())) / 1000.0
    if range_s <= 0:
        return None
    bins = np.floor(rr_ms / STRESS_BIN_MS).astype(np.int64)
    counts = np.bincount(bins - bins.min())
    amo_pct = 100.0 * float(counts.max()) / rr_ms.size
    mode_s = float(np.median(rr_ms)) / 1000.0
    return math.sqrt(amo_pct / (2.0 * mode_s * range_s))
