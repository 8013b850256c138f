"""Coherence, one definition for every screen (HeartMath-style: McCraty et al. 2009, "The coherent
heart", HeartMath Research Center).

Per window (`coherence_score`): the last `WINDOW_S` (64) seconds of a gap-free run of RR intervals,
each beat placed where its interval ends (cumulative sum of RR), resampled at 4 Hz with a natural
cubic spline, linearly detrended, Hann-windowed and zero-padded to 1024 points (0.0039 Hz grid).
The peak is the largest power in the search band `PEAK_SEARCH_HZ` (0.04-0.26 Hz); peak power is
the power within a `PEAK_WIDTH_HZ` (0.030 Hz) wide window centred on it; total power is the power
in `TOTAL_BAND_HZ` (0.0033-0.4 Hz). HeartMath's coherence ratio is (peak / (total - peak))².

The score shown (`SCORE_MAX` = 10 at most): 10 x peak / total, the share of the heart-rate
variation that sits in the one slow wave. It rises with the ratio (score = 10 r / (1 + r) with
r = sqrt(ratio)), so it orders windows exactly as the ratio does, and it is bounded and
readable. Measured on the shared recordings (median of the 5 s scores): resting 2.0-2.5, slow
breathing (Y2med) 4.5, paced breathing at 15/min (M10) 4.1, their best windows 7-7.5; a clean
0.1 Hz sine wave scores 8.6.

Bands (`CoherenceBand`) keep the ratio thresholds Baseline always used (HeartMath's own product
scaling is not public): low below ratio 0.5 (score 4.14), high from ratio 2 (score 5.86). They are
stated once, on the score as shown (`SCORE_DECIMALS` = 1 decimal, so the number and its word
always agree): low 0-4.1, medium from `MEDIUM_FROM` = 4.2, high from `HIGH_FROM` = 5.9 (up to 10).
`format_coherence` writes a score the same way everywhere: "6.1 (high)".

When (`coherence_at`): at a moment `at_s` the window is the beats ending in
(at_s - `REACH_S`, at_s] (64 s plus `MARGIN_S` for the spline's edges), cut to the last gap-free
run; a run shorter than 64 s gives no score. Artifacts are corrected on that run (Lipponen &
Tarvainen, `app.hrv.artifacts`) before the spectrum, when it holds at least
`MIN_CORRECTION_BEATS` beats. Scores are taken every `STEP_S` (5) seconds on a fixed grid:
0, 5, 10, ... seconds of (active) session time (`coherence_track`).

Over longer stretches (a session, a summary period, an assessment step) the coherence is
`mean_score`: the mean of the 5 s scores whose moment falls inside the stretch (for a part of a
session: whose whole window lies inside it, `coherence_track(from_s=...)`). The live screen shows
the newest of those same scores, so the same minutes give the same number on every screen.

One score (artifact pass included) costs about 5 ms: a 40 min session's 480 scores about 2.5 s,
which the summary computes off the GUI thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from app.hrv.artifacts import correct_artifacts
from app.hrv.frequency import detrend_rows, hann_periodic
from app.hrv.resample import RESAMPLE_HZ, beat_times_s, natural_cubic_spline, resample_segments
from app.hrv.segments import FloatArray, last_unbroken_run, normalise_starts

WINDOW_S = 64.0
STEP_S = 5.0
MARGIN_S = 3.0
REACH_S = WINDOW_S + MARGIN_S
PEAK_SEARCH_HZ = (0.04, 0.26)
PEAK_WIDTH_HZ = 0.030
TOTAL_BAND_HZ = (0.0033, 0.4)
NFFT = 1024
MIN_CORRECTION_BEATS = 10

SCORE_MAX = 10.0
SCORE_DECIMALS = 1


class CoherenceBand(StrEnum):
    """Where a coherence score lies (see the module docstring for the thresholds)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def score_from_ratio(ratio: float) -> float:
    """The shown score (0-10) of a coherence ratio: 10 r / (1 + r) with r = sqrt(ratio)."""
    if math.isnan(ratio):
        return math.nan
    if ratio <= 0.0:
        return 0.0
    if math.isinf(ratio):
        return SCORE_MAX
    root = math.sqrt(ratio)
    return SCORE_MAX * root / (1.0 + root)


#: The first shown scores in each band: ratio 0.5 and 2 rounded up to the shown precision.
MEDIUM_FROM = 4.2
HIGH_FROM = 5.9


def shown_score(score: float) -> float:
    """The score as every screen shows it (rounded to `SCORE_DECIMALS`)."""
    return round(score, SCORE_DECIMALS)


def band_for_score(score: float) -> CoherenceBand:
    """The band of a score, decided on the score as shown."""
    shown = shown_score(score)
    if shown >= HIGH_FROM:
        return CoherenceBand.HIGH
    if shown >= MEDIUM_FROM:
        return CoherenceBand.MEDIUM
    return CoherenceBand.LOW


def band_for_ratio(ratio: float) -> CoherenceBand:
    """The band of a coherence ratio (through its score)."""
    return band_for_score(score_from_ratio(ratio))


def coherence_parts(score: float | None) -> tuple[str, str]:
    """(number, band word) of a score as shown, e.g. ("6.1", "high"); ("\u2013", "") if none."""
    if score is None or not math.isfinite(score):
        return "\u2013", ""
    return f"{score:.{SCORE_DECIMALS}f}", band_for_score(score).value


def format_coherence(score: float | None) -> str:
    """The one way a coherence score is written: "6.1 (high)"; an en dash when there is none."""
    number, band = coherence_parts(score)
    return f"{number} ({band})" if band else number


def bands_text() -> str:
    """The bands in plain words, on the shown scale."""
    step = 10.0**-SCORE_DECIMALS
    d = SCORE_DECIMALS
    return (
        f"low 0-{MEDIUM_FROM - step:.{d}f}, medium {MEDIUM_FROM:.{d}f}-{HIGH_FROM - step:.{d}f}, "
        f"high {HIGH_FROM:.{d}f}-{SCORE_MAX:.0f}"
    )


@dataclass(frozen=True)
class CoherenceResult:
    """Coherence of one window: the shown score (0-10), the ratio, the peak frequency, the band."""

    score: float
    ratio: float
    peak_hz: float
    band: CoherenceBand


@dataclass(frozen=True)
class CoherenceTick:
    """The coherence score at moment `at_s` (on the caller's time axis, e.g. active seconds)."""

    at_s: float
    result: CoherenceResult

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def band(self) -> CoherenceBand:
        return self.result.band


def _spectra(rows: FloatArray, fs_hz: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Peak power, total power and peak frequency of equally long resampled windows (rows)."""
    nfft = max(NFFT, rows.shape[1])
    spectra = np.abs(np.fft.rfft(detrend_rows(rows) * hann_periodic(rows.shape[1]), n=nfft)) ** 2
    freqs = np.fft.rfftfreq(nfft, d=1.0 / fs_hz)
    cumulative = np.concatenate(
        [np.zeros((spectra.shape[0], 1)), np.cumsum(spectra, axis=1)], axis=1
    )
    search = np.flatnonzero((freqs >= PEAK_SEARCH_HZ[0]) & (freqs < PEAK_SEARCH_HZ[1]))
    peak_index = search[np.argmax(spectra[:, search], axis=1)]
    peak_hz = freqs[peak_index]
    half = PEAK_WIDTH_HZ / 2.0
    low = np.searchsorted(freqs, peak_hz - half, side="left")
    high = np.searchsorted(freqs, peak_hz + half, side="right")
    row = np.arange(spectra.shape[0])
    peak_power = cumulative[row, high] - cumulative[row, low]
    total_low = int(np.searchsorted(freqs, TOTAL_BAND_HZ[0], side="left"))
    total_high = int(np.searchsorted(freqs, TOTAL_BAND_HZ[1], side="right"))
    total_power = cumulative[:, total_high] - cumulative[:, total_low]
    return peak_power, total_power, peak_hz


def _ratio_of(peak_power: FloatArray, total_power: FloatArray) -> FloatArray:
    rest = total_power - peak_power
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            total_power > 0, (peak_power / np.maximum(rest, 1e-12 * total_power)) ** 2, np.nan
        )
    out: FloatArray = ratio
    return out


def _ratios(rows: FloatArray, fs_hz: float) -> tuple[FloatArray, FloatArray]:
    """Coherence ratios and peak frequencies of equally long resampled windows (one per row)."""
    peak_power, total_power, peak_hz = _spectra(rows, fs_hz)
    return _ratio_of(peak_power, total_power), peak_hz


def coherence_score(
    rr_ms: npt.ArrayLike, *, window_s: float = WINDOW_S, fs_hz: float = RESAMPLE_HZ
) -> CoherenceResult | None:
    """Coherence of the last `window_s` seconds of contiguous beats (newest last), as given.

    Returns None when the beats cover less than `window_s` seconds, or have no variation at all.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < 3 or not np.all(np.isfinite(rr)) or np.any(rr <= 0):
        return None
    times = beat_times_s(rr)
    if times[-1] - times[0] < window_s:
        return None
    first = max(0, int(np.searchsorted(times, times[-1] - window_s, side="right")) - 3)
    times = times[first:]
    samples = round(window_s * fs_hz)
    grid = times[-1] - np.arange(samples)[::-1] / fs_hz
    resampled = natural_cubic_spline(times, rr[first:], grid)
    peak_power, total_power, peak_hz = _spectra(resampled[None, :], fs_hz)
    ratio = _ratio_of(peak_power, total_power)
    total = float(total_power[0])
    if not np.isfinite(ratio[0]) or not total > 0.0:
        return None
    score = float(np.clip(SCORE_MAX * float(peak_power[0]) / total, 0.0, SCORE_MAX))
    return CoherenceResult(
        score=score, ratio=float(ratio[0]), peak_hz=float(peak_hz[0]), band=band_for_score(score)
    )


def coherence_at(
    t_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    at_s: float,
) -> CoherenceResult | None:
    """THE coherence of moment `at_s`: every screen's per-window score comes from here.

    Args:
        t_s: beat times (end of each interval), ascending; NaN for beats to leave out (paused).
        rr_ms: RR intervals (ms), one per beat.
        gap_before: per beat, True when the data broke off before it (None: no gaps).
        at_s: the moment, on the same time axis as `t_s`.

    Returns None when the last gap-free run before `at_s` covers less than `WINDOW_S`.
    """
    run = last_unbroken_run(t_s, rr_ms, gap_before, at_s - REACH_S, at_s, min_beats=3)
    if run is None or float(np.sum(run)) / 1000.0 < WINDOW_S:
        return None
    if run.size >= MIN_CORRECTION_BEATS:
        try:
            run = np.asarray(correct_artifacts(run).rr_ms, dtype=np.float64)
        except ValueError:
            return None
    return coherence_score(run)


#: A per-moment scorer with `coherence_at`'s signature (t_s, rr_ms, gap_before, at_s).
ScoreAt = Callable[[FloatArray, FloatArray, npt.NDArray[np.bool_], float], CoherenceResult | None]


def coherence_track(
    t_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    *,
    from_s: float = -math.inf,
    to_s: float | None = None,
    score_at: ScoreAt | None = None,
) -> tuple[CoherenceTick, ...]:
    """The scores every `STEP_S` on the fixed grid (0, 5, 10, ... s) whose window lies in
    (`from_s`, `to_s`]: moments from `from_s + REACH_S` up to `to_s`, and always before the last
    beat (the live screen scores a moment once a later beat has arrived).

    `score_at` is `coherence_at` unless an adapter that delegates to it is passed.
    """
    score = coherence_at if score_at is None else score_at
    t = np.asarray(t_s, dtype=np.float64)
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = np.zeros(t.size, dtype=np.bool_) if gap_before is None else np.asarray(gap_before)
    finite = t[np.isfinite(t)]
    if finite.size == 0:
        return ()
    last = float(finite.max())
    end = math.inf if to_s is None else to_s
    begin = max(STEP_S, from_s + REACH_S)
    if not math.isfinite(begin):
        return ()
    k = math.ceil(begin / STEP_S - 1e-9)
    out: list[CoherenceTick] = []
    while k * STEP_S < last and k * STEP_S <= end + 1e-9:
        at = k * STEP_S
        result = score(t, rr, gaps, at)
        if result is not None:
            out.append(CoherenceTick(at, result))
        k += 1
    return tuple(out)


def mean_score(ticks: Iterable[CoherenceTick]) -> float | None:
    """The coherence of a stretch: the mean of its 5 s scores (None without any)."""
    scores = [tick.result.score for tick in ticks]
    return float(np.mean(scores)) if scores else None


def coherence_ratios(
    rr_ms: npt.ArrayLike,
    segment_starts: npt.ArrayLike | None = None,
    *,
    window_s: float = WINDOW_S,
    fs_hz: float = RESAMPLE_HZ,
) -> FloatArray:
    """Coherence ratio of every consecutive, non-overlapping `window_s` window inside a segment.

    A cheap whole-recording figure for `app.hrv.report` (a 24 h file in milliseconds); the
    screens use `coherence_at` / `mean_score` instead.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    starts = normalise_starts(segment_starts, rr.size)
    samples = round(window_s * fs_hz)
    blocks: list[FloatArray] = []
    for resampled in resample_segments(rr, starts, fs_hz):
        count = resampled.size // samples
        if count:
            blocks.append(resampled[: count * samples].reshape(count, samples))
    if not blocks:
        return np.zeros(0)
    ratio, _ = _ratios(np.concatenate(blocks), fs_hz)
    finite: FloatArray = ratio[np.isfinite(ratio)]
    return finite
