"""Welch spectrum: agreement with pyhrv and systole, peaks, known sines, short windows, gaps."""

from __future__ import annotations

import numpy as np
import pytest

from app.hrv.frequency import HF_BAND_HZ, LF_BAND_HZ, frequency_domain, welch_spectrum
from app.hrv.report import analyze

from .helpers import LONG_24H, RESTING, load, reference, sine_rr

REFERENCES = [(name, library) for name in (*RESTING, LONG_24H) for library in ("pyhrv", "systole")]


@pytest.mark.parametrize(("name", "library"), REFERENCES)
def test_lf_hf_within_25_percent_of_pyhrv_and_systole(name: str, library: str) -> None:
    metrics = frequency_domain(load(name))
    ref = reference(name, library)
    assert metrics.lf_ms2 == pytest.approx(ref["LF"], rel=0.25)
    assert metrics.hf_ms2 == pytest.approx(ref["HF"], rel=0.25)
    assert metrics.lf_hf == pytest.approx(ref["LFHF"], rel=0.25)


def test_slow_breathing_peaks_near_0_10_hz() -> None:
    report = analyze(load("slowbreath_11min_meditation_Y2med.txt"))
    assert report.lf_peak_hz == pytest.approx(0.10, abs=0.01)


def test_paced_breathing_at_15_per_minute_peaks_near_0_25_hz() -> None:
    report = analyze(load("paced0.25Hz_10min_meditation_M10.txt"))
    assert report.hf_peak_hz == pytest.approx(0.25, abs=0.015)


@pytest.mark.parametrize(("freq_hz", "band"), [(0.1, LF_BAND_HZ), (0.25, HF_BAND_HZ)])
def test_a_sine_puts_its_power_in_its_band(freq_hz: float, band: tuple[float, float]) -> None:
    amplitude_ms = 40.0
    spectrum = welch_spectrum(sine_rr(600, amplitude_ms=amplitude_ms, freq_hz=freq_hz))
    assert spectrum is not None
    assert spectrum.peak_hz(band) == pytest.approx(freq_hz, abs=0.005)
    # a sine of amplitude A has variance A²/2; almost all of it lands in its band
    assert spectrum.band_power_ms2(band) == pytest.approx(amplitude_ms**2 / 2, rel=0.1)


def test_psd_arrays_are_read_only_and_plot_ready() -> None:
    spectrum = welch_spectrum(load("rest_5min_pyhrv_short.txt"))
    assert spectrum is not None
    assert spectrum.freqs_hz.shape == spectrum.psd_ms2_per_hz.shape
    assert not spectrum.psd_ms2_per_hz.flags.writeable
    assert np.all(np.isfinite(spectrum.psd_ms2_per_hz))


def test_short_windows_give_nulls_with_reasons() -> None:
    rr = load("rest_16min_hrv_rest_rri.txt")
    one_minute = rr[np.cumsum(rr) <= 62_000]
    report = analyze(one_minute)
    assert report.hf_ms2 is not None
    assert report.rmssd_ms is not None
    for key in ("vlf_ms2", "lf_ms2", "lf_hf", "lf_nu", "lf_peak_hz"):
        assert getattr(report, key) is None
        assert "too short" in report.reasons[key]
    assert "needs 300 s" in report.reasons["vlf_ms2"]
    two_minutes = analyze(rr[np.cumsum(rr) <= 122_000])
    assert two_minutes.lf_ms2 is not None
    assert two_minutes.vlf_ms2 is None
    five_minutes = analyze(rr[np.cumsum(rr) <= 300_000])
    assert five_minutes.vlf_ms2 is not None


def test_a_gap_is_not_bridged() -> None:
    # two 5-minute stretches of the same 0.25 Hz wave at different resting levels
    first = sine_rr(300, mean_ms=800, amplitude_ms=30, freq_hz=0.25)
    second = sine_rr(300, mean_ms=1100, amplitude_ms=30, freq_hz=0.25)
    rr = np.concatenate([first, second])
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[first.size] = True
    with_gap = analyze(rr, gap_before=gaps, correction="none")
    bridged = analyze(rr, correction="none")
    assert with_gap.hf_ms2 == pytest.approx(30**2 / 2, rel=0.1)
    assert with_gap.lf_ms2 is not None
    assert with_gap.hf_ms2 is not None
    assert with_gap.lf_ms2 < 0.05 * with_gap.hf_ms2
    assert bridged.lf_ms2 is not None
    assert bridged.lf_ms2 > 10 * with_gap.lf_ms2
