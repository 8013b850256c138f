"""Breathing rate and pacer following, read from the heart's response to breathing (RR alone).

Breathing moves the heart rate: it rises on the in-breath and falls on the out-breath
(respiratory sinus arrhythmia), so the RR series carries a wave at the breathing frequency. Both
figures here read that wave; neither sees the chest. A person who breathes at the pacer's rate but
whose heart barely answers, or whose heart-rate wave is dominated by something else (a slow
blood-pressure wave, movement, ectopic beats), is not seen as following. See docs/BREATHING.md.

The spectrum of one window: the beats (each placed where its interval ends) are resampled at
4 Hz with a natural cubic spline (`app.hrv.resample`), the `FOLLOWING_WINDOW_S` (64 s, 256
samples) window has its least-squares line removed, is Hann-windowed and zero-padded to `NFFT`
(1024) points: a 0.0039 Hz grid, 0.0156 Hz (1/64 s) true resolution. This is the window and the
spectrum the coherence score uses (`app.hrv.coherence`).

* **Pacer following** (`pacer_following`, 0-1): the power within `FOLLOWING_HALF_WIDTH_HZ`
  (0.015 Hz, about one resolution step) of the pacer's frequency, divided by the HRV power in
  `HRV_BAND_HZ` (0.04-0.4 Hz; widened to take in the whole pacer band when the pacer sits at its
  edge, so the share never exceeds 1). A steady heart-rate wave exactly at the pacer gives about
  0.86 (the Hann window spreads a pure tone a little beyond the band); power spread evenly over
  the band gives 0.08. The heart "follows" from `FOLLOWING_THRESHOLD` (0.4) up: chosen on the
  shared real recordings, where the windows of the rate actually breathed have medians of 0.6-0.8
  and the other rates stay at or below 0.1 (docs/BREATHING.md has the table).
* **Breathing rate** (`breathing_rate_per_min`): the frequency of the largest local maximum of
  the spectrum between `BREATHING_SEARCH_HZ` (0.05-0.5 Hz, 3-30 breaths/min) and half the beat
  rate (beats sample the wave: at 50 bpm nothing above 0.42 Hz can be seen), refined by a parabola
  through the top three grid points, times 60. A stretch longer than one window uses the mean
  spectrum of its windows (the rate breathed most of the time). No local maximum (a spectrum
  falling from the slow waves straight through the range) gives None.

Windows (`following_windows`): 64 s stepped by `FOLLOWING_STEP_S` (5 s) inside each gap-free
segment (never across a gap), on the artifact-corrected series (Lipponen & Tarvainen,
`app.hrv.artifacts`), with times counted from the start of the recording (sum of the RR). A
window whose beats are more than `MAX_ARTIFACT_SHARE` (20 %) corrected beats is left out: its
wave is mostly made up. `median_following` is the median of the windows' following.

During a session (`following_at`, `following_track`): the moments are `FIRST_READ_S` (65 s, the
first 5 s step a whole window fits in) after the start of a paced stretch, then every 5 s, on the
caller's time axis (active time, pauses left out). The read of a moment is the last 64 s of the
last gap-free run of beats up to it, inside the stretch. A stretch's time following is 5 s per read
at or above the threshold (`time_following_s`); its breathing rate the median of the reads' rates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.hrv.artifacts import ArtifactCorrection, correct_artifacts
from app.hrv.frequency import detrend_rows, hann_periodic
from app.hrv.resample import RESAMPLE_HZ, beat_times_s, resample_segments
from app.hrv.segments import (
    MIN_BEATS,
    FloatArray,
    IntArray,
    last_unbroken_run,
    normalise_starts,
    validate_rr,
)

FOLLOWING_WINDOW_S: float = 64.0
FOLLOWING_STEP_S: float = 5.0
#: At and above this share of the HRV power near the pacer, the heart follows the pacer.
FOLLOWING_THRESHOLD: float = 0.4
FOLLOWING_HALF_WIDTH_HZ = 0.02
HRV_BAND_HZ = (0.04, 0.4)
BREATHING_SEARCH_HZ = (0.05, 0.5)
NFFT = 1024
MAX_ARTIFACT_SHARE = 0.2
#: The first read of a paced stretch: the first 5 s step at which a whole window fits.
FIRST_READ_S: float = math.ceil(FOLLOWING_WINDOW_S / FOLLOWING_STEP_S) * FOLLOWING_STEP_S
#: Beats this far before a window are kept too, for the spline's edge.
_MARGIN_S = 3.0
#: A window whose detrended values all lie within this fraction of its RR does not vary.
_FLAT_FRACTION = 1e-9
#: Windows whose spectra are computed at once (512 x 1024 points: 8 MB of complex numbers).
_CHUNK_WINDOWS = 512

#: True: correct artifacts; False: take the series as given; a correction of it made already.
Correct = bool | ArtifactCorrection

_WINDOW_SAMPLES = round(FOLLOWING_WINDOW_S * RESAMPLE_HZ)
_STEP_SAMPLES = round(FOLLOWING_STEP_S * RESAMPLE_HZ)
_HANN: FloatArray = hann_periodic(_WINDOW_SAMPLES)
_FREQS_HZ: FloatArray = np.fft.rfftfreq(NFFT, d=1.0 / RESAMPLE_HZ).astype(np.float64)


@dataclass(frozen=True)
class FollowingWindow:
    """One 64 s window: its span (s from the start of the recording), following and breathing.

    `breathing_rate_per_min` is None when the window's spectrum has no respiratory peak.
    """

    start_s: float
    end_s: float
    following: float
    breathing_rate_per_min: float | None

    @property
    def is_following(self) -> bool:
        """True when the heart follows the pacer in this window."""
        return self.following >= FOLLOWING_THRESHOLD


def pacer_hz(pacer_rate_per_min: float) -> float:
    """The pacer's frequency (Hz) of a rate in breaths per minute; refuses non-positive rates."""
    if not math.isfinite(pacer_rate_per_min) or pacer_rate_per_min <= 0.0:
        raise ValueError(f"the pacer rate must be a positive number, not {pacer_rate_per_min!r}")
    return pacer_rate_per_min / 60.0


def breathing_rate_per_min(
    rr_ms: npt.NDArray[np.float64],
    *,
    segment_starts: npt.ArrayLike | None = None,
    correct: Correct = True,
) -> float | None:
    """Breathing rate (breaths/min) of a stretch of beats, from the mean spectrum of its windows.

    Args:
        rr_ms: RR intervals (ms), oldest first.
        segment_starts: first beat of each gap-free segment (None: one segment).
        correct: correct artifacts first (True), use the series as given (False), or use this
            correction of it (an `ArtifactCorrection` of `rr_ms` made already).

    Returns None with fewer than 64 s of gap-free beats, no variation, or no respiratory peak.
    """
    prepared = _prepare(rr_ms, segment_starts, correct)
    if prepared is None:
        return None
    rows, _, _ = prepared
    if rows.shape[0] == 0:
        return None
    power = np.zeros(_FREQS_HZ.size)
    for first in range(0, rows.shape[0], _CHUNK_WINDOWS):
        power += _power(rows[first : first + _CHUNK_WINDOWS]).sum(axis=0)
    mean_rr_ms = float(np.mean(rows))
    peak = _peak_hz(power[None, :], np.array([mean_rr_ms]))[0]
    return None if math.isnan(peak) else 60.0 * float(peak)


def pacer_following(
    rr_ms: npt.NDArray[np.float64],
    pacer_rate_per_min: float,
    *,
    correct: bool = True,
) -> float | None:
    """Following (0-1) of the last 64 s of contiguous beats (newest last) at a pacer rate.

    Args:
        rr_ms: RR intervals (ms) of one gap-free stretch, oldest first.
        pacer_rate_per_min: the pacer's rate (breaths/min).
        correct: correct artifacts first (False: the series is already corrected).

    Returns None when the beats cover less than 64 s, hold more than 20 % corrected beats in
    the window, or do not vary.
    """
    read = _read_last(np.asarray(rr_ms, dtype=np.float64), pacer_hz(pacer_rate_per_min), correct)
    return None if read is None else read[0]


def following_windows(
    rr_ms: npt.NDArray[np.float64],
    pacer_rate_per_min: float,
    *,
    segment_starts: npt.ArrayLike | None = None,
    correct: Correct = True,
) -> list[FollowingWindow]:
    """Following and breathing rate of every 64 s window, stepped by 5 s within gap-free segments.

    Args:
        rr_ms: RR intervals (ms), oldest first.
        pacer_rate_per_min: the pacer's rate (breaths/min).
        segment_starts: first beat of each gap-free segment (None: one segment).
        correct: as for `breathing_rate_per_min`.
    """
    pacer = pacer_hz(pacer_rate_per_min)
    prepared = _prepare(rr_ms, segment_starts, correct)
    if prepared is None:
        return []
    rows, start_s, bad_share = prepared
    keep = bad_share <= MAX_ARTIFACT_SHARE
    rows, start_s = rows[keep], start_s[keep]
    windows: list[FollowingWindow] = []
    for first in range(0, rows.shape[0], _CHUNK_WINDOWS):
        chunk = rows[first : first + _CHUNK_WINDOWS]
        power = _power(chunk)
        shares = _following(power, pacer)
        peaks = _peak_hz(power, chunk.mean(axis=1))
        for start, share, peak in zip(
            start_s[first : first + _CHUNK_WINDOWS].tolist(),
            shares.tolist(),
            peaks.tolist(),
            strict=True,
        ):
            if math.isnan(share):
                continue
            windows.append(
                FollowingWindow(
                    start_s=start,
                    end_s=start + FOLLOWING_WINDOW_S,
                    following=share,
                    breathing_rate_per_min=None if math.isnan(peak) else 60.0 * peak,
                )
            )
    return windows


def median_following(
    rr_ms: npt.NDArray[np.float64],
    pacer_rate_per_min: float,
    *,
    segment_starts: npt.ArrayLike | None = None,
    correct: Correct = True,
) -> float | None:
    """The median following of the windows of `following_windows` (None without any window)."""
    windows = following_windows(
        rr_ms, pacer_rate_per_min, segment_starts=segment_starts, correct=correct
    )
    if not windows:
        return None
    return float(np.median([window.following for window in windows]))


@dataclass(frozen=True)
class FollowingTick:
    """The read of one moment `at_s` of a session (on the caller's time axis, e.g. active s)."""

    at_s: float
    pacer_rate_per_min: float
    following: float
    breathing_rate_per_min: float | None

    @property
    def is_following(self) -> bool:
        """True when the heart follows the pacer at this moment."""
        return self.following >= FOLLOWING_THRESHOLD


def following_at(
    t_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    at_s: float,
    pacer_rate_per_min: float,
    *,
    since_s: float = -math.inf,
) -> FollowingTick | None:
    """THE read of moment `at_s`: every screen's following comes from here.

    Args:
        t_s: beat times (end of each interval), ascending; NaN for beats to leave out (paused).
        rr_ms: RR intervals (ms), one per beat.
        gap_before: per beat, True when the data broke off before it (None: no gaps).
        at_s: the moment, on the same time axis as `t_s`.
        pacer_rate_per_min: the pacer's rate at that moment.
        since_s: only beats after this moment count (the start of the paced stretch).

    Returns None when the last gap-free run before `at_s` covers less than 64 s, holds more
    than 20 % corrected beats in its window, or does not vary.
    """
    pacer = pacer_hz(pacer_rate_per_min)
    reach = max(at_s - FOLLOWING_WINDOW_S - _MARGIN_S, since_s)
    run = last_unbroken_run(t_s, rr_ms, gap_before, reach, at_s, min_beats=MIN_BEATS)
    if run is None or run.size < MIN_BEATS:
        return None
    read = _read_last(run, pacer, correct=True)
    if read is None:
        return None
    return FollowingTick(at_s, pacer_rate_per_min, read[0], read[1])


#: The pacer's rate (breaths/min) at a moment, or None where no pacer runs.
RateAt = Callable[[float], float | None]


def following_track(
    t_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    pacer_rate_per_min: float | RateAt,
    *,
    from_s: float = 0.0,
    to_s: float | None = None,
) -> tuple[FollowingTick, ...]:
    """The reads of a paced stretch that starts at `from_s`: at `from_s + FIRST_READ_S`, then
    every 5 s up to `to_s`, always before the last beat (a live read waits for a later beat)."""
    t = np.asarray(t_s, dtype=np.float64)
    finite = t[np.isfinite(t)]
    if finite.size == 0:
        return ()
    last = float(finite.max())
    end = math.inf if to_s is None else to_s
    rate_at: RateAt = (
        pacer_rate_per_min if callable(pacer_rate_per_min) else lambda _s: pacer_rate_per_min
    )
    out: list[FollowingTick] = []
    moment = from_s + FIRST_READ_S
    while moment < last and moment <= end + 1e-9:
        rate = rate_at(moment)
        if rate is not None:
            tick = following_at(t, rr_ms, gap_before, moment, rate, since_s=from_s)
            if tick is not None:
                out.append(tick)
        moment += FOLLOWING_STEP_S
    return tuple(out)


def time_following_s(ticks: Sequence[FollowingTick]) -> float:
    """How long the heart followed the pacer: `FOLLOWING_STEP_S` per read that follows."""
    return FOLLOWING_STEP_S * sum(1 for tick in ticks if tick.is_following)


def median_breathing_rate(ticks: Sequence[FollowingTick]) -> float | None:
    """The median breathing rate of the reads that found one (None without any)."""
    rates = [t.breathing_rate_per_min for t in ticks if t.breathing_rate_per_min is not None]
    return float(np.median(rates)) if rates else None


def _read_last(rr_ms: FloatArray, pacer: float, correct: bool) -> tuple[float, float | None] | None:
    """(following, breathing rate) of the last 64 s of one gap-free stretch, or None."""
    corrected = _corrected(rr_ms, None, correct)
    if corrected is None:
        return None
    series, _, made = corrected
    samples = resample_segments(series, None)[0]
    if samples.size < _WINDOW_SAMPLES:
        return None
    times = beat_times_s(series)
    inside = times > times[-1] - FOLLOWING_WINDOW_S
    if float(np.mean(made[inside])) > MAX_ARTIFACT_SHARE:
        return None
    window = samples[None, -_WINDOW_SAMPLES:]
    power = _power(window)
    share = float(_following(power, pacer)[0])
    if math.isnan(share):
        return None
    peak = float(_peak_hz(power, window.mean(axis=1))[0])
    return share, None if math.isnan(peak) else 60.0 * peak


def _corrected(
    rr_ms: npt.NDArray[np.float64], segment_starts: npt.ArrayLike | None, correct: Correct
) -> tuple[FloatArray, IntArray, npt.NDArray[np.bool_]] | None:
    """The (corrected) series, its segment starts and per beat whether correction made it."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    if rr.size < MIN_BEATS:
        return None
    rr = validate_rr(rr)
    starts = normalise_starts(segment_starts, rr.size)
    if correct is False:
        return rr, starts, np.zeros(rr.size, dtype=np.bool_)
    if isinstance(correct, ArtifactCorrection):
        if correct.flagged.size != rr.size:
            raise ValueError("the artifact correction given is not one of these beats")
        fixed = correct
    else:
        fixed = correct_artifacts(rr, segment_starts=starts)
    made = np.asarray(fixed.flagged[fixed.source_index], dtype=np.bool_)
    return np.asarray(fixed.rr_ms, dtype=np.float64), fixed.segment_starts, made


def _prepare(
    rr_ms: npt.NDArray[np.float64], segment_starts: npt.ArrayLike | None, correct: Correct
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """Every 64 s window (resampled rows), its start (s) and its share of corrected beats."""
    corrected = _corrected(rr_ms, segment_starts, correct)
    if corrected is None:
        return None
    series, starts, made = corrected
    times = beat_times_s(series)
    made_before = np.concatenate([[0], np.cumsum(made)])
    all_rows: list[FloatArray] = []
    all_starts: list[FloatArray] = []
    for begin, samples in zip(
        _segment_firsts(series, starts), resample_segments(series, starts), strict=True
    ):
        if samples.size < _WINDOW_SAMPLES:
            continue
        rows = np.lib.stride_tricks.sliding_window_view(samples, _WINDOW_SAMPLES)[::_STEP_SAMPLES]
        all_rows.append(rows)
        all_starts.append(times[begin] + np.arange(rows.shape[0]) * FOLLOWING_STEP_S)
    if not all_rows:
        return np.zeros((0, _WINDOW_SAMPLES)), np.zeros(0), np.zeros(0)
    start_s = np.concatenate(all_starts)
    end_s = start_s + FOLLOWING_WINDOW_S
    low = np.searchsorted(times, start_s, side="right")
    high = np.searchsorted(times, end_s, side="right")
    count = np.maximum(high - low, 1)
    bad_share = (made_before[high] - made_before[low]) / count
    return np.concatenate(all_rows), start_s, bad_share


def _segment_firsts(series: FloatArray, starts: IntArray) -> list[int]:
    """The first beat of each segment that `resample_segments` returns (at least 2 beats)."""
    ends = np.append(starts[1:], series.size)
    return [int(s) for s, e in zip(starts.tolist(), ends.tolist(), strict=True) if e - s >= 2]


def _power(rows: FloatArray) -> FloatArray:
    """The power spectrum of each row (detrended, Hann-windowed, zero-padded to `NFFT`)."""
    detrended = detrend_rows(rows)
    # A series without variation leaves only rounding noise: it has no spectrum at all.
    flat = np.max(np.abs(detrended), axis=1) <= _FLAT_FRACTION * np.max(np.abs(rows), axis=1)
    window = _HANN if rows.shape[1] == _WINDOW_SAMPLES else hann_periodic(rows.shape[1])
    power: FloatArray = np.abs(np.fft.rfft(detrended * window, n=NFFT, axis=1)) ** 2
    power[flat] = 0.0
    return power


def _band_sum(power: FloatArray, low_hz: float, high_hz: float) -> FloatArray:
    freqs = _FREQS_HZ
    mask = (freqs >= low_hz) & (freqs <= high_hz)
    total: FloatArray = power[:, mask].sum(axis=1)
    return total


def _following(power: FloatArray, pacer: float) -> FloatArray:
    """Share of each row's HRV power within the pacer band (NaN where there is no power)."""
    low = pacer - FOLLOWING_HALF_WIDTH_HZ
    high = pacer + FOLLOWING_HALF_WIDTH_HZ
    near = _band_sum(power, low, high)
    total = _band_sum(power, min(HRV_BAND_HZ[0], low), max(HRV_BAND_HZ[1], high))
    with np.errstate(divide="ignore", invalid="ignore"):
        share: FloatArray = np.where(total > 0.0, near / total, np.nan)
    return share


def _peak_hz(power: FloatArray, mean_rr_ms: FloatArray) -> FloatArray:
    """Each row's largest local maximum in the respiratory range (NaN where there is none)."""
    df = float(_FREQS_HZ[1])
    upper = np.minimum(BREATHING_SEARCH_HZ[1], 0.5 * 1000.0 / mean_rr_ms)
    middle = power[:, 1:-1]
    local = (middle > power[:, :-2]) & (middle >= power[:, 2:])
    freqs = _FREQS_HZ[1:-1]
    inside = (freqs[None, :] >= BREATHING_SEARCH_HZ[0]) & (freqs[None, :] <= upper[:, None])
    candidates = np.where(local & inside, middle, -np.inf)
    index = np.argmax(candidates, axis=1)
    row = np.arange(power.shape[0])
    found = np.isfinite(candidates[row, index]) & (candidates[row, index] > 0.0)
    left = power[row, index]
    centre = power[row, index + 1]
    right = power[row, index + 2]
    curvature = left - 2.0 * centre + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature < 0.0, 0.5 * (left - right) / curvature, 0.0)
    peak: FloatArray = np.where(found, freqs[index] + np.clip(shift, -0.5, 0.5) * df, np.nan)
    return peak
