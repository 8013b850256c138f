"""Frequency-domain HRV: 4 Hz cubic-spline resampling, linear detrending, Welch PSD, band powers.

Choices, and how they relate to Kubios HRV's defaults (Kubios: 4 Hz cubic-spline interpolation,
smoothness-priors detrending with lambda = 500, Welch periodogram with a window width setting,
commonly cited as 256 s with 50 % overlap; we could not check a current Kubios build here):

* Resampling: natural cubic spline at 4 Hz (`app.hrv.resample`), one contiguous segment at a time.
* Welch: Hann window of `WINDOW_S` = 256 s (1024 samples) with 50 % overlap, zero-padded to
  `NFFT` = 4096 points (0.001 Hz grid), one-sided density in ms²/Hz, averaged over every window of
  every segment. A window never spans a gap: segments shorter than the window are left out, and
  when even the longest segment is shorter than 256 s the window shrinks to that segment (one
  window, as Kubios does for short samples).
* Detrending: each Welch window has its least-squares line removed. This is where we differ from
  Kubios: smoothness priors (lambda 500, cut-off about 0.035 Hz) removes most VLF power, whereas a
  per-window line keeps VLF meaningful and costs O(N). On the shared clean recordings LF and HF
  agree with pyhrv's `welch_psd` and systole within the tolerance the tests check.
* Bands: VLF 0-0.04 Hz, LF 0.04-0.15 Hz, HF 0.15-0.4 Hz (half-open), power = sum of the PSD
  times the bin width, in ms². Normalised units: LF / (LF + HF) x 100. Peaks: the frequency of the
  largest PSD value in the band.
* Minimum length (sum of its RR) of the longest gap-free segment for a band to be reported
  (Task Force 1996: a band needs several of its own cycles): VLF 300 s, LF 120 s, HF 60 s, with
  a 2 % allowance so that a 5-minute reading that ends a beat early still counts. Shorter: null
  with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.hrv.resample import RESAMPLE_HZ, resample_segments
from app.hrv.segments import FloatArray, normalise_starts, segment_ends

WINDOW_S = 256.0
OVERLAP = 0.5
NFFT = 4096
VLF_BAND_HZ = (0.0, 0.04)
LF_BAND_HZ = (0.04, 0.15)
HF_BAND_HZ = (0.15, 0.4)
MIN_SEGMENT_S = {"vlf": 300.0, "lf": 120.0, "hf": 60.0}
LENGTH_ALLOWANCE = 0.98
_CHUNK_WINDOWS = 256


@dataclass(frozen=True)
class Spectrum:
    """A Welch PSD of RR (ms²/Hz) on a regular frequency grid, ready to plot.

    Attributes:
        freqs_hz: frequency grid (read-only).
        psd_ms2_per_hz: power spectral density (read-only).
        window_s: Welch window length used.
        n_windows: how many windows were averaged.
        longest_segment_s: length (sum of RR) of the longest gap-free stretch of the recording.
    """

    freqs_hz: FloatArray
    psd_ms2_per_hz: FloatArray
    window_s: float
    n_windows: int
    longest_segment_s: float

    def band_power_ms2(self, band_hz: tuple[float, float]) -> float:
        """Power in [low, high) Hz."""
        low, high = band_hz
        mask = (self.freqs_hz >= low) & (self.freqs_hz < high)
        step = float(self.freqs_hz[1] - self.freqs_hz[0])
        return float(self.psd_ms2_per_hz[mask].sum()) * step

    def peak_hz(self, band_hz: tuple[float, float]) -> float:
        """Frequency of the largest PSD value in [low, high) Hz."""
        low, high = band_hz
        index = np.flatnonzero((self.freqs_hz >= low) & (self.freqs_hz < high))
        return float(self.freqs_hz[index[np.argmax(self.psd_ms2_per_hz[index])]])


@dataclass(frozen=True)
class FrequencyMetrics:
    """Band powers (ms²), ratios and peaks; None with a reason in `reasons` when not computable."""

    vlf_ms2: float | None
    lf_ms2: float | None
    hf_ms2: float | None
    lf_hf: float | None
    lf_nu: float | None
    hf_nu: float | None
    lf_peak_hz: float | None
    hf_peak_hz: float | None
    reasons: Mapping[str, str] = field(default_factory=dict)
    spectrum: Spectrum | None = None


def hann_periodic(length: int) -> FloatArray:
    """The periodic Hann window used for spectral estimation."""
    window: FloatArray = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(length) / length)
    return window


def detrend_rows(rows: FloatArray) -> FloatArray:
    """Each row minus its least-squares straight line."""
    length = rows.shape[1]
    t = np.arange(length, dtype=np.float64) - (length - 1) / 2.0
    mean = rows.mean(axis=1, keepdims=True)
    slope = (rows @ t) / float(t @ t)
    detrended: FloatArray = rows - mean - slope[:, None] * t[None, :]
    return detrended


def welch_spectrum(
    rr_ms: npt.ArrayLike,
    segment_starts: npt.ArrayLike | None = None,
    *,
    fs_hz: float = RESAMPLE_HZ,
    window_s: float = WINDOW_S,
    overlap: float = OVERLAP,
    nfft: int = NFFT,
) -> Spectrum | None:
    """Welch PSD of the RR series, windows within gap-free segments; None if under 2 samples."""
    rr = np.asarray(rr_ms, dtype=np.float64)
    starts = normalise_starts(segment_starts, rr.size)
    ends = segment_ends(starts, rr.size)
    usable = (ends - starts) >= 2
    if not usable.any():
        return None
    series = resample_segments(rr, starts, fs_hz)
    longest_s = float(np.add.reduceat(rr, starts)[usable].max()) / 1000.0
    longest = max(s.size for s in series)
    if longest < 2:
        return None
    nperseg = min(round(window_s * fs_hz), longest)
    step = max(1, round(nperseg * (1.0 - overlap)))
    nfft = max(nfft, nperseg)
    window = hann_periodic(nperseg)
    scale = 1.0 / (fs_hz * float(np.sum(window**2)))
    total = np.zeros(nfft // 2 + 1)
    n_windows = 0
    for samples in series:
        if samples.size < nperseg:
            continue
        rows = np.lib.stride_tricks.sliding_window_view(samples, nperseg)[::step]
        for first in range(0, rows.shape[0], _CHUNK_WINDOWS):
            chunk = detrend_rows(np.array(rows[first : first + _CHUNK_WINDOWS])) * window
            spectra = np.abs(np.fft.rfft(chunk, n=nfft, axis=1)) ** 2
            total += spectra.sum(axis=0)
            n_windows += chunk.shape[0]
    psd = total * scale / n_windows
    psd[1:-1] *= 2.0  # one-sided: fold the negative frequencies (nfft is even)
    freqs = np.fft.rfftfreq(nfft, d=1.0 / fs_hz).astype(np.float64)
    psd.flags.writeable = False
    freqs.flags.writeable = False
    return Spectrum(
        freqs_hz=freqs,
        psd_ms2_per_hz=psd,
        window_s=nperseg / fs_hz,
        n_windows=n_windows,
        longest_segment_s=longest_s,
    )


def frequency_domain(
    rr_ms: npt.ArrayLike, segment_starts: npt.ArrayLike | None = None
) -> FrequencyMetrics:
    """VLF, LF, HF power and derived values of an RR series (ms), respecting gaps."""
    spectrum = welch_spectrum(rr_ms, segment_starts)
    longest_s = spectrum.longest_segment_s if spectrum is not None else 0.0
    reasons: dict[str, str] = {}
    powers: dict[str, float | None] = {}
    peaks: dict[str, float | None] = {}
    for name, band in (("vlf", VLF_BAND_HZ), ("lf", LF_BAND_HZ), ("hf", HF_BAND_HZ)):
        needed = MIN_SEGMENT_S[name]
        if spectrum is None or longest_s < needed * LENGTH_ALLOWANCE:
            reasons[f"{name}_ms2"] = (
                f"window too short for {name.upper()} (needs {needed:g} s without a gap, "
                f"has {longest_s:.0f} s)"
            )
            powers[name] = None
            peaks[name] = None
            continue
        powers[name] = spectrum.band_power_ms2(band)
        peaks[name] = spectrum.peak_hz(band)
    lf, hf = powers["lf"], powers["hf"]
    lf_hf = lf_nu = hf_nu = None
    if lf is None or hf is None:
        why = reasons.get("lf_ms2") or reasons.get("hf_ms2") or ""
        for key in ("lf_hf", "lf_nu", "hf_nu"):
            reasons[key] = why
    elif lf + hf <= 0.0 or hf <= 0.0:
        for key in ("lf_hf", "lf_nu", "hf_nu"):
            reasons[key] = "no LF or HF power (a perfectly regular series)"
    else:
        lf_hf = lf / hf
        lf_nu = 100.0 * lf / (lf + hf)
        hf_nu = 100.0 * hf / (lf + hf)
    for name in ("lf", "hf"):
        if peaks[name] is None:
            reasons[f"{name}_peak_hz"] = reasons[f"{name}_ms2"]
    return FrequencyMetrics(
        vlf_ms2=powers["vlf"],
        lf_ms2=lf,
        hf_ms2=hf,
        lf_hf=lf_hf,
        lf_nu=lf_nu,
        hf_nu=hf_nu,
        lf_peak_hz=peaks["lf"],
        hf_peak_hz=peaks["hf"],
        reasons=reasons,
        spectrum=spectrum,
    )
