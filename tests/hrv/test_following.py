"""Pacer following and breathing rate: real paced and slow-breathing recordings, synthetic waves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.hrv.artifacts import correct_artifacts
from app.hrv.following import (
    FIRST_READ_S,
    FOLLOWING_STEP_S,
    FOLLOWING_THRESHOLD,
    FOLLOWING_WINDOW_S,
    FollowingWindow,
    breathing_rate_per_min,
    following_at,
    following_track,
    following_windows,
    median_breathing_rate,
    median_following,
    pacer_following,
    time_following_s,
)

from .helpers import load, sine_rr

SLOW = "slowbreath_11min_meditation_Y2med.txt"  # heart-rate wave at 0.102 Hz: 6.1 breaths/min
PACED = "paced0.25Hz_10min_meditation_M10.txt"  # metronome at 0.25 Hz: 15 breaths/min
#: (recording, documented breathing rate, rates far from it: 3 breaths/min and more away)
BREATHED = ((SLOW, 0.102 * 60, (9.0, 12.0, 15.0, 18.0)), (PACED, 15.0, (4.5, 6.0, 9.0, 12.0)))


@pytest.mark.parametrize(("name", "rate", "others"), BREATHED)
def test_following_is_high_at_the_rate_breathed_and_low_elsewhere(
    name: str, rate: float, others: tuple[float, ...]
) -> None:
    rr = load(name)
    at_rate = median_following(rr, rate)
    assert at_rate is not None and at_rate >= FOLLOWING_THRESHOLD
    for other in others:
        elsewhere = median_following(rr, other)
        assert elsewhere is not None and elsewhere < FOLLOWING_THRESHOLD / 2, other


@pytest.mark.parametrize(("name", "rate", "others"), BREATHED)
def test_most_windows_follow_at_the_rate_breathed(
    name: str, rate: float, others: tuple[float, ...]
) -> None:
    windows = following_windows(load(name), rate)
    share = np.mean([window.is_following for window in windows])
    assert share >= 0.6
    for other in others:
        elsewhere = following_windows(load(name), other)
        assert np.mean([window.is_following for window in elsewhere]) <= 0.05, other


@pytest.mark.parametrize(("name", "rate", "others"), BREATHED)
def test_breathing_rate_is_within_0_7_per_minute_of_the_documented_rate(
    name: str, rate: float, others: tuple[float, ...]
) -> None:
    estimated = breathing_rate_per_min(load(name))
    assert estimated is not None
    assert estimated == pytest.approx(rate, abs=0.7)
    windows = following_windows(load(name), rate)
    rates = [w.breathing_rate_per_min for w in windows if w.breathing_rate_per_min is not None]
    assert len(rates) >= 0.9 * len(windows)
    assert float(np.median(rates)) == pytest.approx(rate, abs=0.7)


@pytest.mark.parametrize("freq_hz", [0.05, 0.075, 0.1, 0.15, 0.25, 0.4])
def test_a_wave_at_the_pacer_follows_and_gives_its_rate(freq_hz: float) -> None:
    rr = sine_rr(300, mean_ms=800, amplitude_ms=40, freq_hz=freq_hz, noise_ms=5)
    rate = 60 * freq_hz
    following = pacer_following(rr, rate)
    assert following is not None and following > 0.85
    assert pacer_following(rr, rate + 3) == pytest.approx(0.0, abs=0.1)
    estimated = breathing_rate_per_min(rr)
    assert estimated == pytest.approx(rate, abs=0.1)


def test_a_wave_beside_the_pacer_follows_less_the_further_it_is() -> None:
    rr = sine_rr(200, amplitude_ms=50, freq_hz=0.1)
    shares = [pacer_following(rr, rate) for rate in (6.0, 6.5, 7.0, 7.5, 8.0, 9.0)]
    assert all(share is not None for share in shares)
    assert shares == sorted(shares, reverse=True)  # type: ignore[type-var]
    assert shares[-1] is not None and shares[-1] < 0.05


def test_two_waves_share_the_power() -> None:
    """Equal waves at 0.1 and 0.25 Hz: each pacer holds about half the power."""
    t_s = np.cumsum(np.full(400, 0.8))
    rr = 800 + 30 * np.sin(2 * np.pi * 0.1 * t_s) + 30 * np.sin(2 * np.pi * 0.25 * t_s)
    for rate in (6.0, 15.0):
        share = median_following(rr, rate)
        assert share == pytest.approx(0.5, abs=0.06)


def test_windows_step_by_five_seconds_and_never_cross_a_gap() -> None:
    first = sine_rr(100, freq_hz=0.1)
    second = sine_rr(80, freq_hz=0.1, seed=1)
    rr = np.concatenate([first, second])
    windows = following_windows(rr, 6.0, segment_starts=[first.size])
    first_end_s = float(first.sum()) / 1000.0
    before = [w for w in windows if w.start_s < first_end_s]
    after = [w for w in windows if w.start_s >= first_end_s]
    assert before and after
    assert all(w.end_s <= first_end_s + 1.0 for w in before)
    assert all(w.end_s - w.start_s == pytest.approx(FOLLOWING_WINDOW_S) for w in windows)
    steps = np.diff([w.start_s for w in before])
    np.testing.assert_allclose(steps, FOLLOWING_STEP_S)
    assert before[0].start_s == pytest.approx(first[0] / 1000.0)
    assert after[0].start_s == pytest.approx(first_end_s + second[0] / 1000.0)
    # 100 s fit 8 windows (64 s + 7 steps of 5 s); 80 s fit 4.
    assert (len(before), len(after)) == (8, 4)


def test_artifacts_are_corrected_before_the_spectrum() -> None:
    rr = sine_rr(300, amplitude_ms=40, freq_hz=0.1, noise_ms=3)
    clean = median_following(rr, 6.0)
    broken = rr.copy()
    broken[40::37] *= 2.0  # a missed beat every ~30 s
    assert median_following(broken, 6.0, correct=False) < 0.6 * clean  # type: ignore[operator]
    assert median_following(broken, 6.0) == pytest.approx(clean, abs=0.05)


def test_windows_made_mostly_of_corrections_are_left_out() -> None:
    rr = sine_rr(300, amplitude_ms=40, freq_hz=0.1, noise_ms=3)
    rng = np.random.default_rng(3)
    broken = rr.copy()
    last = np.arange(rr.size - 90, rr.size)  # the last ~80 s
    hit = last[rng.random(last.size) < 0.3]  # 30 % of them too short or too long
    broken[hit] *= rng.choice([0.6, 1.7], hit.size)
    windows = following_windows(broken, 6.0)
    assert len(windows) < len(following_windows(rr, 6.0))
    assert windows[-1].end_s < float(rr[:-90].sum()) / 1000.0 + 64.0 * 0.5
    assert pacer_following(broken, 6.0) is None
    assert pacer_following(rr, 6.0) is not None


@pytest.mark.parametrize(
    "rr",
    [np.full(30, 900.0), sine_rr(60, freq_hz=0.1), np.full(5, 900.0), np.zeros(0)],
    ids=["too-short", "under-64s", "few-beats", "empty"],
)
def test_too_little_data_gives_none(rr: np.ndarray) -> None:
    assert pacer_following(rr, 6.0) is None
    assert breathing_rate_per_min(rr) is None
    assert following_windows(rr, 6.0) == []
    assert median_following(rr, 6.0) is None


def test_no_variation_gives_none() -> None:
    flat = np.full(200, 900.0)
    assert pacer_following(flat, 6.0) is None
    assert breathing_rate_per_min(flat) is None
    assert following_windows(flat, 6.0) == []


def test_only_the_last_window_counts_for_one_window() -> None:
    wave = sine_rr(70, amplitude_ms=50, freq_hz=0.25)
    other = sine_rr(200, amplitude_ms=50, freq_hz=0.1)
    joined = pacer_following(np.concatenate([other, wave]), 15.0)
    alone = pacer_following(wave, 15.0)
    assert joined is not None and alone is not None
    assert joined == pytest.approx(alone, abs=0.02)


@pytest.mark.parametrize("rate", [0.0, -6.0, math.nan, math.inf])
def test_a_pacer_rate_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="pacer rate"):
        pacer_following(sine_rr(100), rate)


def test_a_window_is_a_frozen_value() -> None:
    window = FollowingWindow(start_s=0.0, end_s=64.0, following=0.5, breathing_rate_per_min=6.0)
    assert window.is_following
    with pytest.raises(AttributeError):
        window.following = 0.1  # type: ignore[misc]


def test_a_long_recording_is_fast_enough() -> None:
    rr = load("artifacts_40min_polar_noisy_rri.txt")
    windows = following_windows(rr, 6.0)
    assert len(windows) > 400  # 40 min in 5 s steps, minus the first minute


def test_a_session_track_reads_every_five_seconds_after_the_first_window() -> None:
    rr = load(SLOW)
    t_s = np.cumsum(rr) / 1000.0
    ticks = following_track(t_s, rr, None, 6.0)
    moments = [tick.at_s for tick in ticks]
    assert moments[0] == FIRST_READ_S == 65.0
    np.testing.assert_allclose(np.diff(moments), FOLLOWING_STEP_S)
    assert moments[-1] < t_s[-1]
    assert time_following_s(ticks) >= 0.6 * FOLLOWING_STEP_S * len(ticks)
    assert median_breathing_rate(ticks) == pytest.approx(0.102 * 60, abs=0.7)
    assert time_following_s(following_track(t_s, rr, None, 15.0)) == 0.0
    # a read is the last window before its moment, as one window on its own
    tick = ticks[10]
    reach = (t_s > tick.at_s - FOLLOWING_WINDOW_S - 3.0) & (t_s <= tick.at_s)
    alone = pacer_following(rr[reach], 6.0)
    assert tick.following == pytest.approx(alone)


def test_a_stretch_starts_its_reads_afresh_and_takes_the_rate_of_the_moment() -> None:
    rr = np.concatenate([sine_rr(200, freq_hz=0.25), sine_rr(200, freq_hz=0.1, seed=1)])
    t_s = np.cumsum(rr) / 1000.0
    first_end = float(np.sum(sine_rr(200, freq_hz=0.25))) / 1000.0
    second = following_track(t_s, rr, None, 6.0, from_s=first_end)
    assert second[0].at_s == pytest.approx(first_end + FIRST_READ_S)
    assert all(tick.is_following for tick in second)
    rates = following_track(t_s, rr, None, lambda s: 15.0 if s < first_end else 6.0)
    assert [tick.pacer_rate_per_min for tick in rates[:2]] == [15.0, 15.0]
    assert rates[0].is_following and rates[-1].is_following
    # between them, windows that hold both waves follow neither pacer fully
    assert min(tick.following for tick in rates) < FOLLOWING_THRESHOLD
    none_yet = following_at(t_s, rr, None, first_end + 30.0, 6.0, since_s=first_end)
    assert none_yet is None


def test_paused_beats_and_gaps_break_the_window() -> None:
    rr = sine_rr(300, freq_hz=0.1)
    t_s = np.cumsum(rr) / 1000.0
    at = float(t_s[-2])
    assert following_at(t_s, rr, None, at, 6.0) is not None
    paused = t_s.copy()
    paused[(t_s > at - 30) & (t_s < at - 20)] = np.nan  # beats during a pause are left out
    assert following_at(paused, rr, None, at, 6.0) is None
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[np.searchsorted(t_s, at - 30)] = True
    assert following_at(t_s, rr, gaps, at, 6.0) is None


def test_a_correction_made_already_gives_what_correcting_gives() -> None:
    rr = load("artifacts_40min_polar_noisy_rri.txt")
    made = correct_artifacts(rr)
    assert following_windows(rr, 6.0, correct=made) == following_windows(rr, 6.0)
    assert breathing_rate_per_min(rr, correct=made) == breathing_rate_per_min(rr)
    with pytest.raises(ValueError, match="not one of these beats"):
        median_following(rr[:-5], 6.0, correct=made)
