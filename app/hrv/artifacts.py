"""Artifact detection and correction after Lipponen & Tarvainen (2019).

Detection uses two normalised series per contiguous segment (never across a gap; the windows are
mirrored at a segment's ends, and all segments go through one vectorised pass):

* dRR, successive differences, divided by Th1 = 5.2 x the quartile deviation of dRR over a
  91-beat window centred on the beat;
* mRR, the RR minus its 11-beat median (negative values doubled), divided by Th2 = 5.2 x the
  quartile deviation of |mRR| over the same window.

A beat is examined when |dRR| > 1 (the entry test of the paper's decision chart, as neurokit2
reads it). It is *ectopic* when the neighbouring differences show the short-long (or long-short)
pattern of an early beat (constants c1 = 0.13, c2 = 0.17) and a neighbour lies on the other side
of the local median; otherwise (and the next beat too, when its own difference is the smaller of
the following two) it is *long* or *short* when dRR and the following differences or mRR say so;
a long beat whose half is within Th2 of the median is a *missed* beat, and a short beat that
together with the next one is within Th2 of the median is an *extra* beat.

Deliberate deviations from the reference implementations (neurokit2 `_find_artifacts`, systole
`rr_artefacts`), measured on real recordings in docs/ACCURACY.md:

* Th1 comes from the quartile deviation of the signed dRR, not of |dRR|. For a symmetric series
  5.2 QD is 3.5 SD, the 99.95 % coverage the paper's alpha stands for; over |dRR| it is only
  2.2 SD (97 %), and steep breathing waves crossed it every few dozen beats.
* A long or short beat that is neither missed nor extra is corrected only when it is off the
  local median (|mRR| > 3) or a neighbour gives back at least half of its excess (a beat moved in
  time: misaligned detection, early beat). Every artifact either drops a beat, adds one, or
  moves one; an interval that does none of these is a real interval between two real beats,
  like the two long beats at the top of a deep breath.
* A missed beat must also come at least halfway closer to the local median when split (RR over
  about 1.5 x the median): Th2 grows with the breathing swings and alone let deep breaths pass.
* A beat far off the median (|mRR| > 3) but not steep in dRR is not interpolated; it is a missed
  or extra beat when the intervals add up (an extra beat merges with whichever neighbour
  completes it better), which finds 50/50 splits that stay under Th1 in very variable recordings.
* The neighbour that gives an ectopic beat's time back (the premature beat or the compensatory
  pause) is replaced with it: both are no sinus intervals, and the premature beat of a pair
  often stays under Th1 in a variable recording.
* Th1 and Th2 are floored at `FLOOR_FRACTION` (5 %) of the local median RR. On data quantised
  to 1/128 s (Holter, PhysioNet) the quartile deviation of a calm stretch collapses to one
  quantisation step, and 3-step jitter would pass for ectopic beats.

Correction: a missed beat is split in two halves, an extra beat is merged with the next one, and
ectopic, long and short beats are replaced by linear interpolation (over the beat index) between
their nearest normal neighbours in the same segment. Detection runs again after a pass that split
or merged beats (that changes the neighbours' differences), at most `MAX_ITERATIONS` times. A pass
that only interpolated ends the loop. Every operation is vectorised NumPy (the 11-beat median
partitions each window, the 91-beat quartiles walk a wavelet matrix: O(N log N)); nothing is
quadratic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from app.hrv.segments import BoolArray, FloatArray, IntArray, normalise_starts, segment_ends

ALPHA = 5.2
WINDOW_BEATS = 91
MEDIAN_BEATS = 11
C1 = 0.13
C2 = 0.17
MAX_ITERATIONS = 4
#: A neighbour "gives back" a long or short beat's excess when what is left is below this fraction.
COMPENSATION = 0.5
MIN_THRESHOLD_MS = 1.0
#: Th1 and Th2 never fall below this fraction of the 11-beat median RR.
FLOOR_FRACTION = 0.05
#: Segments shorter than this are left as they are (too few beats to judge what is normal).
MIN_SEGMENT_BEATS = 5
#: Rank filters up to this window partition each window (O(N w)); wider ones (the 91-beat
#: thresholds) use a wavelet matrix (O(N log N)), 3-6x faster there.
_PARTITION_MAX_WINDOW = 32
#: Windows partitioned at once (8192 x 32 doubles: 2 MB).
_RANK_CHUNK_ROWS = 8192
#: Windows answered by one wavelet matrix (its height is log2 of the values it spans).
_WAVELET_CHUNK_ROWS = 8192


class BeatKind(StrEnum):
    """What the detector made of one beat."""

    NORMAL = "normal"
    ECTOPIC = "ectopic"
    LONG = "long"
    SHORT = "short"
    MISSED = "missed"
    EXTRA = "extra"


class _Code(IntEnum):
    NORMAL = 0
    ECTOPIC = 1
    LONG = 2
    SHORT = 3
    MISSED = 4
    EXTRA = 5


_KINDS: tuple[BeatKind, ...] = (
    BeatKind.NORMAL,
    BeatKind.ECTOPIC,
    BeatKind.LONG,
    BeatKind.SHORT,
    BeatKind.MISSED,
    BeatKind.EXTRA,
)


@dataclass(frozen=True)
class ArtifactCorrection:
    """Result of `correct_artifacts`.

    Attributes:
        rr_ms: the corrected series (read-only); may be longer or shorter than the input.
        segment_starts: first beat of each contiguous segment of the corrected series.
        source_index: for each corrected beat, the index of the original beat it comes from
            (both halves of a split beat point to it; a merged pair points to its first beat).
        kind_codes: per original beat, the index into `BeatKind` order (0 = normal).
        flagged: per original beat, True if it was found to be an artifact.
        artifact_pct: flagged beats as a percentage of the original beats.
    """

    rr_ms: FloatArray
    segment_starts: IntArray
    source_index: IntArray
    kind_codes: npt.NDArray[np.int8]
    flagged: BoolArray
    artifact_pct: float

    @property
    def kinds(self) -> tuple[BeatKind, ...]:
        """The kind of every original beat."""
        return tuple(_KINDS[code] for code in self.kind_codes.tolist())

    def kind_counts(self) -> dict[BeatKind, int]:
        """How many original beats of each artifact kind (normal beats left out)."""
        counts = np.bincount(self.kind_codes, minlength=len(_KINDS))
        return {kind: int(counts[i]) for i, kind in enumerate(_KINDS) if i and counts[i]}


def correct_artifacts(
    rr_ms: npt.ArrayLike, *, segment_starts: npt.ArrayLike | None = None
) -> ArtifactCorrection:
    """Detect and correct artifacts in `rr_ms` (ms), segment by segment."""
    original = np.asarray(rr_ms, dtype=np.float64)
    n_original = original.size
    starts = normalise_starts(segment_starts, n_original)
    kind_codes = np.zeros(n_original, dtype=np.int8)
    current = original.copy()
    current_starts = starts
    source = np.arange(n_original, dtype=np.intp)
    for _ in range(MAX_ITERATIONS):
        codes = _detect_all(current, current_starts)
        if not codes.any():
            break
        hit = codes != _Code.NORMAL
        first_time = hit & (kind_codes[source] == _Code.NORMAL)
        kind_codes[source[first_time]] = codes[first_time]
        current, current_starts, local_source = _correct_all(current, current_starts, codes)
        source = source[local_source]
        if not np.isin(codes, (_Code.MISSED, _Code.EXTRA)).any():
            break  # only splitting or merging changes the neighbours' context enough to re-run
    flagged = kind_codes != _Code.NORMAL
    artifact_pct = 100.0 * float(flagged.sum()) / n_original if n_original else 0.0
    for array in (current, current_starts, source, kind_codes, flagged):
        array.flags.writeable = False
    return ArtifactCorrection(
        rr_ms=current,
        segment_starts=current_starts,
        source_index=source,
        kind_codes=kind_codes,
        flagged=flagged,
        artifact_pct=artifact_pct,
    )


def _reflect(position: IntArray, length: IntArray) -> IntArray:
    """Map positions outside [0, length) back inside, mirrored at the ends (edge not repeated)."""
    period = 2 * (length - 1)
    folded = np.mod(position, period)
    reflected: IntArray = np.where(folded >= length, period - folded, folded)
    return reflected


class _Segments:
    """Index helpers that let one vectorised pass treat every segment as if it stood alone."""

    def __init__(self, starts: IntArray, lengths: IntArray) -> None:
        self.starts = starts
        self.lengths = lengths
        segment = np.repeat(np.arange(lengths.size), lengths)
        self.segment_of_beat = segment
        self.position = np.arange(segment.size) - np.repeat(starts, lengths)
        self.length_of_beat = lengths[segment]
        self.start_of_beat = starts[segment]

    def neighbour(self, values: FloatArray, offset: int) -> FloatArray:
        """values[i + offset], mirrored at the ends of i's segment."""
        index = self.start_of_beat + _reflect(self.position + offset, self.length_of_beat)
        shifted: FloatArray = values[index]
        return shifted

    def padded(self, values: FloatArray, pad: int) -> tuple[FloatArray, IntArray]:
        """Each segment mirrored out by `pad` beats on both sides, concatenated; and where each
        original beat sits in that array."""
        padded_lengths = self.lengths + 2 * pad
        padded_starts = np.cumsum(padded_lengths) - padded_lengths
        segment = np.repeat(np.arange(self.lengths.size), padded_lengths)
        local = np.arange(segment.size) - padded_starts[segment] - pad
        source = self.starts[segment] + _reflect(local, self.lengths[segment])
        centre = padded_starts[self.segment_of_beat] + pad + self.position
        return values[source], centre


def _detect_all(rr: FloatArray, starts: IntArray) -> npt.NDArray[np.int8]:
    """Artifact codes for every beat; segments shorter than MIN_SEGMENT_BEATS are left alone."""
    codes = np.zeros(rr.size, dtype=np.int8)
    ends = segment_ends(starts, rr.size)
    usable = (ends - starts) >= MIN_SEGMENT_BEATS
    if not usable.any():
        return codes
    pieces = [np.arange(a, b) for a, b in zip(starts[usable], ends[usable], strict=True)]
    chosen = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    lengths = (ends - starts)[usable]
    local_starts = (np.cumsum(lengths) - lengths).astype(np.intp)
    codes[chosen] = _detect(rr[chosen], _Segments(local_starts, lengths))
    return codes


def _window_rank(size: int, percentile: float) -> int:
    """The order statistic (0-based) a `size`-wide window yields for `percentile`: the lower
    neighbour, never interpolated (the rule of `scipy.ndimage.percentile_filter`)."""
    if percentile >= 100.0:
        return size - 1
    return int(float(size) * percentile / 100.0)


def _rank_filtered(
    values: FloatArray, segments: _Segments, percentiles: tuple[float, ...], size: int
) -> list[FloatArray]:
    """Centred `size`-beat order statistics of `values`, each segment mirrored at its ends.

    Every window lies inside its segment's mirrored padding, so the result is exactly the k-th
    smallest of the beat's own window (the same values as SciPy's `percentile_filter`).
    """
    pad = size // 2
    padded, centre = segments.padded(values, pad)
    ranks = [_window_rank(size, q) for q in percentiles]
    if size <= _PARTITION_MAX_WINDOW:
        return _partitioned(padded, centre - pad, size, ranks)
    first = centre - pad  # ascending: beats keep their order in the padded layout
    out = np.empty((len(ranks), first.size))
    for start in range(0, first.size, _WAVELET_CHUNK_ROWS):
        chunk = first[start : start + _WAVELET_CHUNK_ROWS]
        span = padded[chunk[0] : chunk[-1] + size]  # small matrices: fewer bits, cache-sized
        found = _wavelet_order_statistics(span, chunk - chunk[0], size, ranks)
        out[:, start : start + chunk.size] = found
    return list(out)


def _partitioned(
    values: FloatArray, first: IntArray, size: int, ranks: list[int]
) -> list[FloatArray]:
    """The k-th smallest of values[first[j] : first[j] + size] for each k: `np.partition` of
    every window, O(N x size), in chunks that keep the copied windows to a few MB."""
    windows = sliding_window_view(values, size)
    out = np.empty((len(ranks), first.size))
    for start in range(0, first.size, _RANK_CHUNK_ROWS):
        rows = windows[first[start : start + _RANK_CHUNK_ROWS]]
        out[:, start : start + rows.shape[0]] = np.partition(rows, ranks, axis=1)[:, ranks].T
    return list(out)


def _wavelet_order_statistics(
    values: FloatArray, first: IntArray, size: int, ranks: list[int]
) -> list[FloatArray]:
    """The same order statistics through a wavelet matrix, O(N log N) whatever the window.

    Values are replaced by their ranks in a stable sort (distinct integers, ties in order), so
    the k-th smallest rank in a window names the k-th smallest value exactly. The matrix keeps,
    for each bit from the highest, how many zeros precede every position after stably moving
    the zeros of that bit before the ones; a query follows its window down the bits, all
    windows at once.
    """
    n = values.size
    order = np.argsort(values, kind="stable")
    code = np.empty(n, dtype=np.intp)
    code[order] = np.arange(n, dtype=np.intp)
    zeros_before: list[IntArray] = []  # per bit, from the highest: zeros before each position
    for bit in range(max(1, (n - 1).bit_length()) - 1, -1, -1):
        zero = ((code >> bit) & 1) == 0
        prefix = np.zeros(n + 1, dtype=np.intp)
        np.cumsum(zero, out=prefix[1:])
        zeros_before.append(prefix)
        code = np.concatenate((code[zero], code[~zero]))  # zeros first, both in order
    lo = np.tile(first.astype(np.intp), len(ranks))  # every rank's queries in one pass
    hi = lo + size
    k = np.repeat(np.asarray(ranks, dtype=np.intp), first.size)
    for prefix in zeros_before:
        zeros_lo, zeros_hi = prefix[lo], prefix[hi]
        n_zero = zeros_hi - zeros_lo
        one = k >= n_zero
        k -= np.where(one, n_zero, 0)
        lo = np.where(one, prefix[-1] + lo - zeros_lo, zeros_lo)
        hi = np.where(one, prefix[-1] + hi - zeros_hi, zeros_hi)
    # After the last bit every query's range holds copies of its answer only.
    return list(values[order[code[lo]]].reshape(len(ranks), first.size))


def _thresholds(
    drr: FloatArray, mrr: FloatArray, segments: _Segments, floor: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Th1 and Th2: ALPHA x quartile deviation over a centred WINDOW_BEATS window, never below
    `floor`. Th1 comes from the signed dRR (a symmetric series: there 5.2 QD = 3.5 SD), Th2 from
    |mRR| (mRR is lopsided by design: its negative half is doubled). Both series go through one
    rank-filter pass: the |mRR| series is laid after the dRR series as further segments."""
    n = drr.size
    both = _Segments(
        np.concatenate((segments.starts, segments.starts + n)),
        np.concatenate((segments.lengths, segments.lengths)),
    )
    q1, q3 = _rank_filtered(np.concatenate((drr, np.abs(mrr))), both, (25.0, 75.0), WINDOW_BEATS)
    threshold = np.maximum(ALPHA * (q3 - q1) / 2.0, np.concatenate((floor, floor)))
    return threshold[:n], threshold[n:]


def _detect(rr: FloatArray, segments: _Segments) -> npt.NDArray[np.int8]:
    n = rr.size
    first = segments.position == 0
    drr = np.zeros(n)
    drr[1:] = np.diff(rr)
    drr[first] = 0.0
    diff_sums = np.add.reduceat(drr, segments.starts)
    drr[first] = diff_sums / (segments.lengths - 1)  # the first beat: the segment's mean difference
    (median_rr,) = _rank_filtered(rr, segments, (50.0,), MEDIAN_BEATS)
    floor = np.maximum(FLOOR_FRACTION * median_rr, MIN_THRESHOLD_MS)
    mrr = rr - median_rr
    mrr[mrr < 0] *= 2.0
    th1, th2 = _thresholds(drr, mrr, segments, floor)
    d = drr / th1
    before = segments.neighbour(d, -1)
    after = segments.neighbour(d, 1)
    after2 = segments.neighbour(d, 2)
    s12 = np.where(
        d > 0, np.maximum(before, after), np.where(d < 0, np.minimum(before, after), 0.0)
    )
    s22 = np.where(d >= 0, np.minimum(after, after2), np.maximum(after, after2))

    m = mrr / th2

    last = segments.position == segments.length_of_beat - 1
    # Deviation from the local median, and the neighbours' (0 beyond a segment's ends).
    excess = rr - median_rr
    excess_next = np.append(excess[1:], 0.0)
    excess_next[last] = 0.0
    excess_before = np.insert(excess[:-1], 0, 0.0)
    excess_before[first] = 0.0
    opposite_neighbour = (excess * excess_next < 0) | (excess * excess_before < 0)
    ectopic = ((d > 1) & (s12 < -C1 * d - C2)) | ((d < -1) & (s12 > -C1 * d + C2))
    ectopic &= opposite_neighbour  # an early beat is short and its partner long, or the reverse
    primary = (np.abs(d) > 1) & ~ectopic
    also_next = primary & (np.abs(after) < np.abs(after2)) & ~last
    examined = primary.copy()
    examined[1:] |= also_next[:-1]

    long_beat = (d > 1) & (s22 < -1)
    off_median = np.abs(m) > 3
    short_beat = (d < -1) & (s22 > 1)
    abnormal = examined & (long_beat | off_median | short_beat) & ~ectopic
    next_rr = np.append(rr[1:], np.inf)
    next_rr[last] = np.inf  # the last beat of a segment has no partner to merge with
    # Split in two, a missed beat must come at least halfway closer to the median: RR over about
    # 1.5 x the median. (Th2 alone grows with the breathing swings, and in the most variable
    # recordings it let the top of a deep breath pass for two beats.)
    half_off = np.abs(rr / 2.0 - median_rr)
    half_is_normal = (half_off < th2) & (half_off < 0.5 * np.abs(excess))
    pair_is_normal = np.abs(rr + next_rr - median_rr) < th2
    extra = abnormal & short_beat & pair_is_normal
    missed = abnormal & long_beat & half_is_normal & ~extra
    # A long or short beat is an artifact when it is far off the local median, or when a
    # neighbour gives back at least half of its excess (a beat moved in time: misaligned
    # detection). A beat that is only steep in dRR, with nothing given back, is a real interval
    # between two real beats: the swing of a deep breath.
    gives_back = np.abs(excess + excess_next) < COMPENSATION * np.abs(excess)
    gives_back &= excess * excess_next < 0
    took = np.abs(excess + excess_before) < COMPENSATION * np.abs(excess)
    took &= excess * excess_before < 0
    long_or_short = abnormal & ~extra & ~missed & (off_median | gives_back | took)

    # Far off the median but not steep in dRR (in very variable recordings a 50/50 split of an
    # interval can stay under Th1): such a beat is a missed or extra beat only when the
    # intervals add up, never interpolated on the median alone.
    by_median = off_median & ~examined & ~ectopic
    prev_rr = np.insert(rr[:-1], 0, np.inf)
    prev_rr[first] = np.inf
    shorter = by_median & (excess < 0)
    off_with_next = np.abs(rr + next_rr - median_rr)
    off_with_previous = np.abs(prev_rr + rr - median_rr)
    extra_with_next = shorter & (off_with_next < th2) & (off_with_next <= off_with_previous)
    extra_with_previous = shorter & ~extra_with_next & (off_with_previous < th2)
    extra |= extra_with_next
    extra[:-1] |= extra_with_previous[1:]  # the previous beat absorbs this one
    missed |= by_median & (excess > 0) & half_is_normal

    # An early beat comes with its compensatory pause: the neighbour that gives the time back
    # is no sinus interval either, and is replaced with it.
    partner = np.zeros(n, dtype=bool)
    partner[1:] |= (ectopic & gives_back)[:-1]
    partner[:-1] |= (ectopic & took)[1:]
    ectopic |= partner & ~missed & ~extra

    codes = np.zeros(n, dtype=np.int8)
    codes[long_or_short] = np.where(
        rr[long_or_short] > median_rr[long_or_short], _Code.LONG, _Code.SHORT
    )
    codes[missed] = _Code.MISSED
    codes[extra] = _Code.EXTRA
    codes[ectopic] = _Code.ECTOPIC
    return codes


def _correct_all(
    rr: FloatArray, starts: IntArray, codes: npt.NDArray[np.int8]
) -> tuple[FloatArray, IntArray, IntArray]:
    """Apply one round of corrections; returns new rr, new segment starts, and local source."""
    n = rr.size
    segment_id = np.zeros(n, dtype=np.intp)
    segment_id[starts[1:]] = 1
    segment_id = np.cumsum(segment_id)

    extra = codes == _Code.EXTRA
    same_segment_next = np.append(segment_id[1:] == segment_id[:-1], False)
    extra &= same_segment_next
    previous_extra = np.zeros(n, dtype=bool)
    previous_extra[1:] = extra[:-1]
    extra &= ~previous_extra  # a beat already swallowed by its predecessor does not merge again
    absorbed = np.zeros(n, dtype=bool)
    absorbed[1:] = extra[:-1]

    values = rr.copy()
    values[extra] += rr[1:][extra[:-1]]
    missed = codes == _Code.MISSED
    values[missed] /= 2.0
    counts = np.ones(n, dtype=np.intp)
    counts[missed] = 2
    counts[absorbed] = 0
    interpolate = np.isin(codes, (_Code.ECTOPIC, _Code.LONG, _Code.SHORT))

    local_source = np.repeat(np.arange(n, dtype=np.intp), counts)
    new_rr = values[local_source]
    new_interpolate = interpolate[local_source]
    new_segment = segment_id[local_source]
    new_starts = np.flatnonzero(np.diff(new_segment, prepend=-1) != 0).astype(np.intp)

    if new_interpolate.any():
        index = np.arange(new_rr.size, dtype=np.float64)
        for start, end in zip(
            new_starts.tolist(), segment_ends(new_starts, new_rr.size).tolist(), strict=True
        ):
            bad = new_interpolate[start:end]
            if not bad.any():
                continue
            good = ~bad
            if good.sum() < 2:
                continue
            segment = new_rr[start:end]
            positions = index[start:end]
            segment[bad] = np.interp(positions[bad], positions[good], segment[good])
    return new_rr, new_starts, local_source
