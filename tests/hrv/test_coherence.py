"""Coherence: a clean breathing wave scores high, noise low, and too little data gives None."""

from __future__ import annotations

import numpy as np
import pytest

from app.hrv.coherence import (
    HIGH_FROM,
    MEDIUM_FROM,
    band_for_ratio,
    coherence_ratios,
    coherence_score,
)

from .helpers import load, sine_rr


def test_a_steady_six_per_minute_wave_is_high_coherence() -> None:
    result = coherence_score(sine_rr(120, amplitude_ms=60, freq_hz=0.1, noise_ms=3))
    assert result is not None
    assert result.peak_hz == pytest.approx(0.1, abs=0.008)
    assert result.band == "high"
    assert result.ratio >= HIGH_FROM


def test_white_noise_is_low_coherence() -> None:
    rng = np.random.default_rng(2)
    result = coherence_score(900 + 40 * rng.standard_normal(200))
    assert result is not None
    assert result.band == "low"


def test_only_the_last_window_counts() -> None:
    rng = np.random.default_rng(7)
    noise = 900 + 40 * rng.standard_normal(200)
    wave = sine_rr(70, amplitude_ms=60, freq_hz=0.1)
    joined = coherence_score(np.concatenate([noise, wave]))
    alone = coherence_score(wave)
    assert joined is not None
    assert alone is not None
    assert joined.ratio == pytest.approx(alone.ratio, rel=1e-6)
    assert (joined.peak_hz, joined.band) == (alone.peak_hz, alone.band)


def test_too_little_data_gives_none() -> None:
    assert coherence_score(np.full(60, 1000.0)) is None  # 60 s < 64 s
    assert coherence_score(np.full(100, 1000.0)) is None  # no variation at all
    assert coherence_score([]) is None


def test_bands_and_thresholds() -> None:
    assert band_for_ratio(0.0) == "low"
    assert band_for_ratio(MEDIUM_FROM) == "medium"
    assert band_for_ratio(HIGH_FROM) == "high"


def test_slow_breathing_scores_higher_than_rest() -> None:
    slow = coherence_ratios(load("slowbreath_11min_meditation_Y2med.txt"))
    rest = coherence_ratios(load("rest_16min_hrv_rest_rri.txt"))
    assert slow.size == 10
    assert np.median(slow) > 4 * np.median(rest)
    last_window = coherence_score(load("slowbreath_11min_meditation_Y2med.txt"))
    assert last_window is not None
    assert 0.04 <= last_window.peak_hz < 0.26
