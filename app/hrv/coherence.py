"""HeartMath-style coherence (McCraty et al. 2009), cheap enough to call every few seconds live.

For the last `window_s` (64) seconds of RR: 4 Hz cubic-spline resampling, linear detrending, a Hann
window and a zero-padded FFT (1024 points, 0.0039 Hz grid). The peak is the largest PSD value in
0.04-0.26 Hz; peak power is the power within a 0.030 Hz window centred on it; total power is the
power in 0.0033-0.4 Hz; the coherence ratio is (peak / (total - peak))².

Bands (Baseline's own reading of the ratio; HeartMath's product scaling is not public):

* "low": ratio < 0.5, the peak holds less than 41 % of the power;
* "medium": 0.5 <= ratio < 2, the peak holds 41-59 % of the power;
* "high": ratio >= 2, the peak holds at least 59 % of the power (a clean 0.1 Hz wave gives ~40).

Measured on the shared recordings (median over 64 s windows): resting 0.05-0.2, slow breathing and
paced breathing about 0.6, with their best windows above 3.

One call on 64 s costs well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from app.hrv.frequency import detrend_rows, hann_periodic
from app.hrv.resample import RESAMPLE_HZ, beat_times_s, natural_cubic_spline, resample_segments
from app.hrv.segments import FloatArray, normalise_starts

WINDOW_S = 64.0
PEAK_SEARCH_HZ = (0.04, 0.26)
PEAK_WIDTH_HZ = 0.030
TOTAL_BAND_HZ = (0.0033, 0.4)
NFFT = 1024
MEDIUM_FROM = 0.5
HIGH_FROM = 2.0

CoherenceBand = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class CoherenceResult:
    """Coherence of one window: the ratio, the peak frequency and its band."""

    ratio: float
    peak_hz: float
    band: CoherenceBand


def band_for_ratio(ratio: float) -> CoherenceBand:
    """The documented band of a coherence ratio."""
    if ratio >= HIGH_FROM:
        return "high"
    if ratio >= MEDIUM_FROM:
        return "medium"
    return "low"


def _ratios(rows: FloatArray, fs_hz: float) -> tuple[FloatArray, FloatArray]:
    """Coherence ratios and peak frequencies of equally long resampled windows (one per row)."""
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
    rest = total_power - peak_power
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            total_power > 0, (peak_power / np.maximum(rest, 1e-12 * total_power)) ** 2, np.nan
        )
    return ratio, peak_hz


def coherence_score(
    rr_ms: npt.ArrayLike, *, window_s: float = WINDOW_S, fs_hz: float = RESAMPLE_HZ
) -> CoherenceResult | None:
    """Coherence of the last `window_s` seconds of contiguous beats (newest last).

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
    ratio, peak_hz = _ratios(resampled[None, :], fs_hz)
    if not np.isfinite(ratio[0]):
        return None
    return CoherenceResult(
        ratio=float(ratio[0]), peak_hz=float(peak_hz[0]), band=band_for_ratio(float(ratio[0]))
    )


def coherence_ratios(
    rr_ms: npt.ArrayLike,
    segment_starts: npt.ArrayLike | None = None,
    *,
    window_s: float = WINDOW_S,
    fs_hz: float = RESAMPLE_HZ,
) -> FloatArray:
    """Coherence ratio of every consecutive, non-overlapping `window_s` window inside a segment."""
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
