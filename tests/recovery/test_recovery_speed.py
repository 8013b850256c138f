"""Recovery speed on synthetic heart rate with a known time constant, refusals, and the trend."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from app.recovery.baseline import baseline_table
from app.recovery.recovery_history import (
    hr_series_from_store,
    recovery_points,
    resting_reference_bpm,
)
from app.recovery.recovery_speed import (
    MIN_R_SQUARED,
    TRIGGER_ELEVATED_START,
    TRIGGER_STRESSOR,
    Direction,
    HeartRateSeries,
    RecoveryPoint,
    compare_with_month_ago,
    fit_exponential,
    recovery_episodes,
    smoothed_grid,
    weekly_summary,
)
from app.store import open_store
from app.store.daily import analysed_sessions
from app.store.daily import recovery_episodes as cached_episodes
from app.store.records import BeatRecord, HeartRateRecord, MarkRecord

FloatArray = npt.NDArray[np.float64]
REST_BPM = 62.0


def beats_of(
    hr_at: Callable[[float], float],
    length_s: float,
    *,
    noise_bpm: float,
    rsa_bpm: float = 3.0,
    seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """Beat times (s) and per-beat HR for a heart-rate curve, with breathing rhythm and noise."""
    rng = np.random.default_rng(seed)
    t = 0.0
    ts: list[float] = []
    hr: list[float] = []
    while t < length_s:
        h = float(hr_at(t)) + rsa_bpm * math.sin(2 * math.pi * 0.25 * t) + rng.normal(0, noise_bpm)
        t += 60.0 / h
        ts.append(t)
        hr.append(h)
    return np.asarray(ts), np.asarray(hr)


def stressor_curve(
    tau_s: float, amp_bpm: float = 30.0, mark_s: float = 120.0
) -> Callable[[float], float]:
    """Rest, an 8-second climb after the mark, then an exponential settle with `tau_s`."""

    def hr_at(t: float) -> float:
        if t < mark_s:
            return REST_BPM
        if t < mark_s + 8:
            return REST_BPM + amp_bpm * (t - mark_s) / 8
        return REST_BPM + amp_bpm * math.exp(-(t - mark_s - 8) / tau_s)

    return hr_at


@pytest.mark.parametrize("tau_s", [12.0, 30.0, 60.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_known_time_constant_is_recovered_after_a_stressor(tau_s: float, seed: int) -> None:
    t, hr = beats_of(stressor_curve(tau_s), 420, noise_bpm=1.5, seed=seed)
    episodes = recovery_episodes(HeartRateSeries.of(t, hr), [(120.0, TRIGGER_STRESSOR)])
    assert len(episodes) == 1
    e = episodes[0]
    assert e.trigger == TRIGGER_STRESSOR
    assert 126.0 <= e.start_s <= 134.0  # at the peak, after the 8-second climb
    assert e.tau_s == pytest.approx(tau_s, rel=0.15)
    assert e.r_squared is not None and e.r_squared > 0.9
    assert e.hr_end_bpm == pytest.approx(REST_BPM, abs=2.0)
    # The drop over the first minute, against the same smoothing of the noiseless curve.
    t_clean, hr_clean = beats_of(stressor_curve(tau_s), 420, noise_bpm=0.0, rsa_bpm=0.0)
    grid, clean = smoothed_grid(HeartRateSeries.of(t_clean, hr_clean))
    i0 = int(np.flatnonzero(grid == e.start_s)[0])
    assert e.drop_60s_bpm == pytest.approx(clean[i0] - clean[i0 + 60], abs=2.0)


def test_heart_rate_readings_at_one_hertz_work_too() -> None:
    curve = stressor_curve(25.0)
    t = np.arange(0.0, 400.0, 1.0)
    rng = np.random.default_rng(5)
    hr = np.round([curve(x) for x in t] + rng.normal(0, 1.0, t.size))  # straps send whole bpm
    e = recovery_episodes(HeartRateSeries.of(t, hr), [(120.0, "effort")])[0]
    assert e.trigger == "effort"
    assert e.tau_s == pytest.approx(25.0, rel=0.15)


def test_a_flat_series_is_refused_nothing_to_settle() -> None:
    t, hr = beats_of(lambda _t: REST_BPM, 400, noise_bpm=1.5)
    e = recovery_episodes(HeartRateSeries.of(t, hr), [(120.0, TRIGGER_STRESSOR)])[0]
    assert e.tau_s is None
    assert e.fit_note is not None


def test_noise_that_hides_the_curve_is_refused_for_poor_fit() -> None:
    t, hr = beats_of(stressor_curve(20.0, amp_bpm=9.0), 420, noise_bpm=12.0, rsa_bpm=6.0, seed=3)
    e = recovery_episodes(HeartRateSeries.of(t, hr), [(120.0, TRIGGER_STRESSOR)])[0]
    assert e.tau_s is None
    assert e.r_squared is not None and e.r_squared < MIN_R_SQUARED
    assert e.fit_note is not None and "fits poorly" in e.fit_note


def test_a_curve_that_has_not_settled_within_the_data_is_refused() -> None:
    t, hr = beats_of(stressor_curve(400.0, amp_bpm=30.0), 420, noise_bpm=1.0)
    e = recovery_episodes(HeartRateSeries.of(t, hr), [(120.0, TRIGGER_STRESSOR)])[0]
    assert e.tau_s is None
    assert e.fit_note == "heart rate had not settled within the data"


def test_too_little_data_after_the_mark() -> None:
    t, hr = beats_of(stressor_curve(20.0), 160, noise_bpm=1.0)
    e = recovery_episodes(HeartRateSeries.of(t, hr), [(120.0, TRIGGER_STRESSOR)])[0]
    assert e.tau_s is None and e.drop_60s_bpm is None
    assert isinstance(fit_exponential(np.arange(5.0), np.ones(5)), str)


def test_elevated_start_needs_more_than_ten_bpm_over_the_resting_baseline() -> None:
    def arrive_tense(t: float) -> float:
        return REST_BPM + 25.0 * math.exp(-t / 30.0)

    t, hr = beats_of(arrive_tense, 400, noise_bpm=1.5, seed=2)
    series = HeartRateSeries.of(t, hr)
    (e,) = recovery_episodes(series, resting_bpm=REST_BPM)
    assert e.trigger == TRIGGER_ELEVATED_START
    assert e.start_s <= 30.0
    assert e.tau_s == pytest.approx(30.0, rel=0.15)
    assert recovery_episodes(series, resting_bpm=REST_BPM + 20.0) == ()  # not 10 bpm above
    assert recovery_episodes(series) == ()  # no resting baseline: no such trigger


def test_two_marks_make_two_episodes_each_ending_at_the_next() -> None:
    first, second = stressor_curve(15.0, mark_s=60.0), stressor_curve(25.0, mark_s=240.0)
    t, hr = beats_of(lambda x: first(x) if x < 240 else second(x), 480, noise_bpm=1.0, seed=4)
    got = recovery_episodes(
        HeartRateSeries.of(t, hr),
        [(240.0, TRIGGER_STRESSOR), (60.0, TRIGGER_STRESSOR), (10, "pause")],
    )
    assert [round(e.start_s / 60) for e in got] == [1, 4]
    assert got[0].start_s + got[0].duration_s <= 240.0
    assert got[0].tau_s == pytest.approx(15.0, rel=0.15)
    assert got[1].tau_s == pytest.approx(25.0, rel=0.15)


def test_smoothed_grid_is_a_centred_moving_mean() -> None:
    series = HeartRateSeries.of([0.0, 1.0, 2.0, 3.0, 10.0], [60.0, 62.0, 64.0, 66.0, 80.0])
    grid, smooth = smoothed_grid(series)
    np.testing.assert_array_equal(grid, np.arange(0.0, 11.0))
    assert smooth[0] == pytest.approx(np.mean([60, 62, 64]))  # samples within 2.5 s
    assert smooth[2] == pytest.approx(np.mean([60, 62, 64, 66]))
    assert math.isnan(smooth[6])
    assert smooth[10] == 80.0


def test_weekly_medians_and_comparison_with_a_month_ago() -> None:
    today = date(2026, 6, 30)
    earlier = [today - timedelta(days=d) for d in (30, 33, 36, 40)]
    recent = [today - timedelta(days=d) for d in (0, 3, 7, 12)]
    points = [
        RecoveryPoint(d, tau, 20.0)
        for d, tau in zip(earlier, (50.0, 40.0, 45.0, 60.0), strict=True)
    ]
    points += [
        RecoveryPoint(d, tau, 25.0) for d, tau in zip(recent, (30.0, 35.0, 28.0, 33.0), strict=True)
    ]
    points.append(RecoveryPoint(today - timedelta(days=1), None, 10.0))
    got = compare_with_month_ago(points, today)
    assert got.direction is Direction.FASTER
    assert got.recent_median_tau_s == pytest.approx(31.5)
    assert got.earlier_median_tau_s == pytest.approx(47.5)
    assert (got.n_recent, got.n_earlier) == (4, 4)
    assert got.text == "Your body settles faster than a month ago."
    slower = [
        RecoveryPoint(p.day, None if p.tau_s is None else 100 - p.tau_s, None) for p in points
    ]
    assert compare_with_month_ago(slower, today).direction is Direction.SLOWER
    assert compare_with_month_ago(points[:6], today).direction is None  # 2 recent fits only

    weeks = weekly_summary(points)
    assert [w.week_start.weekday() for w in weeks] == [0] * len(weeks)
    last = weeks[-1]
    assert last.week_start == date(2026, 6, 29)
    assert (last.n_episodes, last.n_fitted, last.median_tau_s) == (2, 1, 30.0)
    assert last.median_drop_60s_bpm == pytest.approx(17.5)


def test_store_sessions_marks_and_cache(tmp_path: Path) -> None:
    store = open_store(tmp_path / "r.db")
    start = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    t, hr = beats_of(stressor_curve(20.0), 420, noise_bpm=1.0, seed=7)
    sid = store.start_session("breathing", start)
    rr = 60000.0 / hr
    store.add_beats(
        sid, [BeatRecord(float(a * 1000), float(b)) for a, b in zip(t, rr, strict=True)]
    )
    store.add_mark(sid, MarkRecord(120_000.0, TRIGGER_STRESSOR, "a hard phone call"))
    store.finish_session(sid, ended_at=start + timedelta(seconds=420))
    quiet = store.start_session("breathing", start + timedelta(days=1))
    store.add_heart_rate(
        quiet, [HeartRateRecord(i * 1000.0, 0 if i < 3 else 64, i >= 3) for i in range(300)]
    )
    store.finish_session(quiet, ended_at=start + timedelta(days=1, seconds=300))

    series = hr_series_from_store(store, quiet)
    assert series.t_s[0] == 3.0 and series.bpm.min() == 64.0  # no-contact zeros left out
    resting = baseline_table({date(2026, 3, d): 60.0 + d % 2 for d in range(1, 10)})
    assert resting_reference_bpm(resting, date(2026, 3, 11)) == pytest.approx(
        resting.baseline_7d[-1]
    )
    assert resting_reference_bpm(resting, date(2026, 2, 1)) is None

    points = recovery_points(store, resting, version="t1")
    assert len(points) == 1
    assert points[0].day == date(2026, 3, 10)
    assert points[0].tau_s == pytest.approx(20.0, rel=0.15)
    assert analysed_sessions(store, "t1") == {sid, quiet}
    assert len(cached_episodes(store, sid)) == 1
    assert recovery_points(store, resting, version="t1") == points  # from the cache
