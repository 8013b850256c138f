"""What a heart-rate or RR plot draws: the corrected beats, with the corrected places marked.

Plots never draw raw artifacts: a missed beat (one RR twice as long) would show as a plunge of
30 bpm or more, an extra beat as a spike. `corrected_beats` runs the analysis core's artifact
correction (`app.hrv.artifacts.correct_artifacts`, segment by segment: never across a gap) and
returns the series every number is computed from, with one marker per corrected artifact.

Times of the corrected beats: a beat keeps its recorded time when it was only replaced by an
interpolated value; when a beat was split (a missed beat) or merged (an extra beat), the new beats
end where the merged or split stretch ends in the recording, and the beats before it in that
stretch are placed back from there by their corrected intervals. So the time axis never drifts
from the recording, and a split beat puts its first half where the missed beat was.

Markers: one per corrected place, at the corrected beat that took the artifact's place (for a
split beat the second half, for a merge the merged beat). Qt-free; arrays are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.hrv.artifacts import correct_artifacts
from app.hrv.segments import MAX_RR_MS, MIN_RR_MS, starts_from_gaps
from app.session.ring import FloatArray, frozen

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

#: With fewer beats than this nothing is judged: there is no "normal" to compare with yet.
MIN_CORRECTION_BEATS = 10


@dataclass(frozen=True, slots=True)
class BeatPlot:
    """Corrected beats to draw, and where artifacts were corrected.

    `gap_before[i]` is True when a link gap (or a pause) lies before corrected beat i: the line
    breaks there. `marked` holds the indices (into the corrected arrays) of the marked beats.
    """

    t_s: FloatArray
    rr_ms: FloatArray
    gap_before: BoolArray
    marked: IntArray
    n_artifacts: int

    @property
    def hr_bpm(self) -> FloatArray:
        return frozen(60000.0 / self.rr_ms) if self.rr_ms.size else self.rr_ms

    @property
    def marked_t_s(self) -> FloatArray:
        return frozen(self.t_s[self.marked])

    @property
    def marked_rr_ms(self) -> FloatArray:
        return frozen(self.rr_ms[self.marked])

    @property
    def marked_hr_bpm(self) -> FloatArray:
        return frozen(60000.0 / self.rr_ms[self.marked])

    def __len__(self) -> int:
        return int(self.rr_ms.size)


def _frozen_bool(values: npt.ArrayLike) -> BoolArray:
    out = np.array(values, dtype=np.bool_, copy=True)
    out.setflags(write=False)
    return out


def _frozen_int(values: npt.ArrayLike) -> IntArray:
    out = np.array(values, dtype=np.intp, copy=True)
    out.setflags(write=False)
    return out


def uncorrected(t_s: npt.ArrayLike, rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike) -> BeatPlot:
    """The beats as recorded, nothing marked (too few to judge, or not correctable)."""
    return BeatPlot(
        t_s=frozen(np.asarray(t_s, dtype=np.float64)),
        rr_ms=frozen(np.asarray(rr_ms, dtype=np.float64)),
        gap_before=_frozen_bool(gap_before),
        marked=_frozen_int(()),
        n_artifacts=0,
    )


def corrected_beats(
    t_s: npt.ArrayLike, rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike | None = None
) -> BeatPlot:
    """The corrected beats of a recording (beat times `t_s` in seconds), ready to plot."""
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = (
        np.zeros(rr.size, dtype=np.bool_)
        if gap_before is None
        else np.asarray(gap_before, dtype=np.bool_)
    )
    if not (t.shape == rr.shape == gaps.shape) or rr.ndim != 1:
        raise ValueError("t_s, rr_ms and gap_before must be one-dimensional and of one length")
    if (
        rr.size < MIN_CORRECTION_BEATS
        or not np.all(np.isfinite(rr))
        or not np.all(np.isfinite(t))
        or float(rr.min()) < MIN_RR_MS
        or float(rr.max()) > MAX_RR_MS
    ):
        return uncorrected(t, rr, gaps)
    correction = correct_artifacts(rr, segment_starts=starts_from_gaps(gaps, rr.size))
    source = np.asarray(correction.source_index, dtype=np.intp)
    new_rr = np.asarray(correction.rr_ms, dtype=np.float64)
    n_new = new_rr.size
    if n_new == 0:
        return uncorrected(t, rr, gaps)
    # Groups: runs of corrected beats from one original beat (two for a split beat).
    last_in_group = np.ones(n_new, dtype=np.bool_)
    last_in_group[:-1] = source[1:] != source[:-1]
    # A group's stretch ends at the last original beat before the next group's source (a beat
    # merged into its predecessor belongs to the predecessor's stretch).
    next_source = np.append(source[1:], rr.size)
    end_t = t[next_source - 1]
    group_id = np.cumsum(np.concatenate(([True], last_in_group[:-1])).astype(np.intp)) - 1
    group_end = np.flatnonzero(last_in_group)
    cum_ms = np.cumsum(new_rr)
    # Within a group: the group's end time minus the corrected intervals after this beat.
    after_ms = cum_ms[group_end][group_id] - cum_ms
    new_t = end_t[group_end][group_id] - after_ms / 1000.0
    new_gaps = np.zeros(n_new, dtype=np.bool_)
    starts = np.asarray(correction.segment_starts, dtype=np.intp)
    new_gaps[starts[starts > 0]] = True
    # One marker per corrected place: the last corrected beat whose source is at or before it.
    flagged = np.flatnonzero(np.asarray(correction.flagged, dtype=np.bool_))
    if flagged.size:
        at = np.searchsorted(source, flagged, side="right") - 1
        marked = np.unique(at[at >= 0])
    else:
        marked = np.empty(0, dtype=np.intp)
    return BeatPlot(
        t_s=frozen(new_t),
        rr_ms=frozen(new_rr),
        gap_before=_frozen_bool(new_gaps),
        marked=_frozen_int(marked),
        n_artifacts=int(flagged.size),
    )
