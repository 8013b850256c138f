"""Coherence: a clean breathing wave scores high, noise low, and too little data gives None."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from app.hrv.coherence import (
    HIGH_FROM,
    MEDIUM_FROM,
    REACH_S,
    SCORE_MAX,
    STEP_S,
    WINDOW_S,
    CoherenceBand,
    band_for_ratio,
    band_for_score,
    bands_text,
    coherence_at,
    coherence_parts,
    coherence_ratios,
    coherence_score,
    coherence_track,
    format_coherence,
    mean_score,
    score_from_ratio,
)

from .helpers import load, sine_rr


def test_a_steady_six_per_minute_wave_is_high_coherence() -> None:
    result = coherence_score(sine_rr(120, amplitude_ms=60, freq_hz=0.1, noise_ms=3))
    assert result is not None
    assert result.peak_hz == pytest.approx(0.1, abs=0.008)
    assert result.band == CoherenceBand.HIGH
    assert result.ratio >= 2.0 and result.score >= HIGH_FROM


def test_white_noise_is_low_coherence() -> None:
    rng = np.random.default_rng(2)
    result = coherence_score(900 + 40 * rng.standard_normal(200))
    assert result is not None
    assert result.band == CoherenceBand.LOW


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
    assert band_for_ratio(0.0) == CoherenceBand.LOW
    # The shown thresholds are the old ratio thresholds rounded up to the shown precision.
    assert math.ceil(10 * score_from_ratio(0.5)) / 10 == pytest.approx(MEDIUM_FROM)
    assert math.ceil(10 * score_from_ratio(2.0)) / 10 == pytest.approx(HIGH_FROM)
    assert band_for_ratio(0.49) == CoherenceBand.LOW
    assert band_for_ratio(0.51) == CoherenceBand.MEDIUM
    assert band_for_ratio(1.9) == CoherenceBand.MEDIUM
    assert band_for_ratio(2.0) == CoherenceBand.HIGH
    assert band_for_ratio(40.0) == CoherenceBand.HIGH
    # Decided on the shown value: the word always fits the number beside it.
    assert band_for_score(4.149) == CoherenceBand.LOW  # shown 4.1
    assert band_for_score(4.151) == CoherenceBand.MEDIUM  # shown 4.2
    assert band_for_score(5.849) == CoherenceBand.MEDIUM  # shown 5.8
    assert band_for_score(5.851) == CoherenceBand.HIGH  # shown 5.9
    assert bands_text() == "low 0-4.1, medium 4.2-5.8, high 5.9-10"


def test_score_is_the_peak_share_and_follows_the_ratio() -> None:
    assert score_from_ratio(0.0) == 0.0
    assert score_from_ratio(1.0) == pytest.approx(5.0)  # peak = rest: half of the power
    assert score_from_ratio(math.inf) == SCORE_MAX
    ratios = np.geomspace(1e-4, 1e4, 50)
    scores = [score_from_ratio(r) for r in ratios]
    assert all(0.0 < a < b < SCORE_MAX for a, b in itertools.pairwise(scores))
    result = coherence_score(sine_rr(120, amplitude_ms=60, freq_hz=0.1, noise_ms=3))
    assert result is not None
    assert result.score == pytest.approx(score_from_ratio(result.ratio), rel=1e-9)
    assert result.band == band_for_score(result.score)


def test_one_format_for_every_screen() -> None:
    assert format_coherence(6.14) == "6.1 (high)"
    assert format_coherence(4.96) == "5.0 (medium)"
    assert format_coherence(4.149) == "4.1 (low)"
    assert format_coherence(4.151) == "4.2 (medium)"
    assert format_coherence(0.0) == "0.0 (low)"
    assert format_coherence(None) == "\u2013"
    assert format_coherence(math.nan) == "\u2013"
    assert coherence_parts(7.25) == ("7.2", "high")  # round half to even, as Python formats


def test_coherence_at_uses_the_last_gap_free_run_before_the_moment() -> None:
    rng = np.random.default_rng(4)
    noise = 900 + 40 * rng.standard_normal(120)
    wave = sine_rr(80, amplitude_ms=60, freq_hz=0.1)
    rr = np.concatenate([noise, wave])
    t = np.cumsum(rr) / 1000.0
    at = float(t[-1])
    whole = coherence_at(t, rr, None, at)
    assert whole is not None
    # Only the beats in (at - 67 s, at] count: the same as scoring that run alone.
    inside = t > at - REACH_S
    alone = coherence_at(t[inside], rr[inside], None, at)
    assert alone is not None and alone.score == whole.score
    # A gap 40 s before the moment leaves too little gap-free data.
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[int(np.searchsorted(t, at - 40.0))] = True
    assert coherence_at(t, rr, gaps, at) is None
    # A left-out (paused, NaN) beat breaks the run too.
    paused = t.copy()
    paused[int(np.searchsorted(t, at - 40.0))] = np.nan
    assert coherence_at(paused, rr, None, at) is None
    # Beats after the moment never count.
    earlier = coherence_at(t, rr, None, at - 20.0)
    cut = t <= at - 20.0
    assert earlier is not None
    assert earlier == coherence_at(t[cut], rr[cut], None, at - 20.0)


def test_track_is_on_the_fixed_5_s_grid_and_the_mean_is_of_scores() -> None:
    rr = load("slowbreath_11min_meditation_Y2med.txt")
    t = np.cumsum(rr) / 1000.0 + 2.5
    track = coherence_track(t, rr, None)
    moments = np.array([tick.at_s for tick in track])
    assert np.all(moments % STEP_S == 0.0)
    assert np.all(np.diff(moments) == STEP_S)
    assert moments[0] >= WINDOW_S and moments[-1] < t[-1]
    for tick in track[::17]:
        assert tick.result == coherence_at(t, rr, None, tick.at_s)
    assert mean_score(track) == pytest.approx(float(np.mean([x.score for x in track])))
    assert mean_score(()) is None
    # A part: only moments whose whole window lies inside it.
    part = coherence_track(t, rr, None, from_s=200.0, to_s=400.0)
    assert part and part[0].at_s >= 200.0 + REACH_S and part[-1].at_s <= 400.0
    assert {p.at_s for p in part} <= set(moments.tolist())


def test_slow_breathing_scores_higher_than_rest() -> None:
    slow = coherence_ratios(load("slowbreath_11min_meditation_Y2med.txt"))
    rest = coherence_ratios(load("rest_16min_hrv_rest_rri.txt"))
    assert slow.size == 10
    assert np.median(slow) > 4 * np.median(rest)
    last_window = coherence_score(load("slowbreath_11min_meditation_Y2med.txt"))
    assert last_window is not None
    assert 0.04 <= last_window.peak_hz < 0.26


def test_hostile_input_gives_no_score_rather_than_an_error() -> None:
    rr = sine_rr(120, amplitude_ms=60, freq_hz=0.1)
    t = np.cumsum(rr) / 1000.0
    at = float(t[-1])
    assert coherence_at([], [], None, at) is None
    assert (
        coherence_at(t, np.where(np.arange(rr.size) == rr.size - 20, np.nan, rr), None, at) is None
    )
    assert coherence_at(t, np.where(np.arange(rr.size) == rr.size - 20, 0.0, rr), None, at) is None
    assert coherence_at(t, np.full(rr.size, 1000.0), None, at) is None  # no variation
    assert coherence_track([], [], None) == ()
    assert coherence_track(np.full(rr.size, np.nan), rr, None) == ()
    assert coherence_track(t, rr, None, from_s=math.inf) == ()
    # A moment exactly at the last beat waits for a later beat, as on the live screen.
    on_grid = t - t[-1] + 100.0
    assert all(tick.at_s < 100.0 for tick in coherence_track(on_grid, rr, None))
