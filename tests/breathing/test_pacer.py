"""Pacer math: phases, sizes and cue times at known instants; ramp continuity; holds; validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from app.breathing import BreathingPattern, breathing_wave, cue_times, pacer_state
from app.breathing.pacer import PHASES


def test_one_to_one_at_six_per_minute() -> None:
    pattern = BreathingPattern(rate_bpm=6.0)  # 10 s cycle: 5 s in, 5 s out
    start = pacer_state(pattern, 0.0)
    assert (start.phase, start.breath_index, start.size) == ("inhale", 0, 0.0)
    assert start.seconds_left_in_phase == pytest.approx(5.0, abs=1e-12)
    mid_in = pacer_state(pattern, 2.5)
    assert mid_in.phase == "inhale"
    assert mid_in.phase_fraction == pytest.approx(0.5, abs=1e-12)
    assert mid_in.size == pytest.approx(0.5, abs=1e-12)
    assert mid_in.seconds_left_in_phase == pytest.approx(2.5, abs=1e-12)
    quarter = pacer_state(pattern, 1.25)
    assert quarter.size == pytest.approx((1 - math.cos(math.pi / 4)) / 2, abs=1e-12)
    turn = pacer_state(pattern, 5.0)
    assert (turn.phase, turn.phase_fraction) == ("exhale", 0.0)
    assert turn.size == pytest.approx(1.0, abs=1e-12)
    out = pacer_state(pattern, 8.75)
    assert out.phase == "exhale"
    assert out.size == pytest.approx((1 + math.cos(math.pi * 0.75)) / 2, abs=1e-12)
    assert out.seconds_left_in_phase == pytest.approx(1.25, abs=1e-12)
    second = pacer_state(pattern, 10.0)
    assert (second.phase, second.breath_index) == ("inhale", 1)
    assert second.size == pytest.approx(0.0, abs=1e-12)
    assert pacer_state(pattern, 601.0).breath_index == 60
    assert pacer_state(pattern, 601.0).current_rate_bpm == 6.0


@pytest.mark.parametrize(
    ("rate_bpm", "inhale", "exhale"),
    [(5.5, 1.0, 2.0), (6.0, 1.0, 1.5), (4.5, 2.0, 3.0), (10.0, 1.0, 1.0), (3.0, 1.0, 4.0)],
)
def test_ratio_splits_the_cycle(rate_bpm: float, inhale: float, exhale: float) -> None:
    pattern = BreathingPattern(rate_bpm=rate_bpm, inhale_ratio=inhale, exhale_ratio=exhale)
    cycle_s = 60.0 / rate_bpm
    inhale_s = cycle_s * inhale / (inhale + exhale)
    for k in (0, 3):
        t0 = k * cycle_s
        assert pacer_state(pattern, t0 + 0.999 * inhale_s).phase == "inhale"
        at_turn = pacer_state(pattern, t0 + inhale_s + 1e-6)
        assert at_turn.phase == "exhale"
        assert at_turn.seconds_left_in_phase == pytest.approx(cycle_s - inhale_s - 1e-6, abs=1e-9)
        assert pacer_state(pattern, t0 + 0.5 * inhale_s).size == pytest.approx(0.5, abs=1e-12)
        mid_exhale = pacer_state(pattern, t0 + inhale_s + 0.5 * (cycle_s - inhale_s))
        assert mid_exhale.size == pytest.approx(0.5, abs=1e-12)
        assert mid_exhale.phase_fraction == pytest.approx(0.5, abs=1e-12)
        assert mid_exhale.breath_index == k
    cues = cue_times(pattern, 0.0, 3 * cycle_s)
    expected = [
        (k * cycle_s + off, ph)
        for k in range(3)
        for off, ph in ((0.0, "inhale"), (inhale_s, "exhale"))
    ]
    assert [c.phase for c in cues] == [ph for _, ph in expected]
    np.testing.assert_allclose([c.t_s for c in cues], [t for t, _ in expected], atol=1e-9)


def test_holds_take_time_from_the_cycle() -> None:
    # 6/min = 10 s; holds 1 s + 2 s leave 7 s, split 1:1 -> 3.5 s in, 3.5 s out.
    pattern = BreathingPattern(rate_bpm=6.0, hold_after_inhale_s=1.0, hold_after_exhale_s=2.0)
    cues = cue_times(pattern, 0.0, 20.0)
    assert [c.phase for c in cues] == list(PHASES) * 2
    np.testing.assert_allclose(
        [c.t_s for c in cues], [0.0, 3.5, 4.5, 8.0, 10.0, 13.5, 14.5, 18.0], atol=1e-12
    )
    hold = pacer_state(pattern, 4.0)
    assert (hold.phase, hold.size) == ("hold_in", 1.0)
    assert hold.phase_fraction == pytest.approx(0.5, abs=1e-12)
    assert hold.seconds_left_in_phase == pytest.approx(0.5, abs=1e-12)
    empty = pacer_state(pattern, 9.0)
    assert (empty.phase, empty.size) == ("hold_out", 0.0)
    assert empty.seconds_left_in_phase == pytest.approx(1.0, abs=1e-12)
    for cue in cues:  # state and cues agree exactly on the boundaries
        state = pacer_state(pattern, cue.t_s)
        assert (state.phase, state.breath_index) == (cue.phase, cue.breath_index)
        assert state.phase_fraction == pytest.approx(0.0, abs=1e-12)


def test_cue_window_is_half_open_and_skips_zero_holds() -> None:
    pattern = BreathingPattern(rate_bpm=6.0, hold_after_exhale_s=1.0)  # 4.5 in, 4.5 out, 1 hold
    assert [(c.t_s, c.phase) for c in cue_times(pattern, 4.5, 10.0)] == [
        (4.5, "exhale"),
        (9.0, "hold_out"),
    ]
    assert cue_times(pattern, 3.0, 3.0) == ()
    later = cue_times(pattern, 100.0, 110.0)
    assert [c.phase for c in later] == ["inhale", "exhale", "hold_out"]
    assert later[0].t_s == pytest.approx(100.0, abs=1e-9)
    assert later[0].breath_index == 10


def test_ramp_eases_rate_and_integrates_phase() -> None:
    pattern = BreathingPattern(rate_bpm=6.0, start_rate_bpm=9.0, ramp_duration_s=120.0)
    assert pacer_state(pattern, 0.0).current_rate_bpm == pytest.approx(9.0)
    assert pacer_state(pattern, 60.0).current_rate_bpm == pytest.approx(7.5)
    assert pacer_state(pattern, 120.0).current_rate_bpm == pytest.approx(6.0)
    assert pacer_state(pattern, 500.0).current_rate_bpm == pytest.approx(6.0)

    def rate(t: float) -> float:
        return pacer_state(pattern, t).current_rate_bpm

    # Breath k starts when the integral of rate/60 reaches k.
    cues = [c for c in cue_times(pattern, 0.0, 300.0) if c.phase == "inhale"]
    cycles, since_s = 0.0, 0.0
    for cue in cues:  # the integral from 0, accumulated piece by piece from cue to cue
        piece, _ = quad(lambda t: rate(t) / 60.0, since_s, cue.t_s, limit=200)
        cycles, since_s = cycles + piece, cue.t_s
        assert cycles == pytest.approx(cue.breath_index, abs=1e-6)
    # Ramp cycles: (9 + 6) / 2 breaths/min over 2 min = 15 breaths, then 10 s per breath.
    starts = [c.t_s for c in cues]
    assert starts[15] == pytest.approx(120.0, abs=1e-9)
    np.testing.assert_allclose(np.diff(starts[15:]), 10.0, atol=1e-9)
    # Breaths get longer monotonically during the ramp.
    assert np.all(np.diff(np.diff(starts[:16])) > 0)


def test_ramp_is_continuous() -> None:
    pattern = BreathingPattern(
        rate_bpm=5.0, inhale_ratio=1.0, exhale_ratio=1.5, start_rate_bpm=8.0, ramp_duration_s=90.0
    )
    t = np.arange(0.0, 200.0, 0.01)
    size = breathing_wave(pattern, t)
    # Steps between samples 10 ms apart are bounded by the fastest slope (pi/2 per inhale).
    fastest_inhale_s = 60.0 / 8.0 * 1.0 / 2.5
    assert np.max(np.abs(np.diff(size))) <= math.pi / 2 / fastest_inhale_s * 0.01 * 1.001
    breath = np.array([pacer_state(pattern, float(x)).breath_index for x in t[::50]])
    assert np.all(np.diff(breath) >= 0)
    assert np.all(np.diff(breath) <= 1)
    # The wave equals the scalar state everywhere.
    for x in (0.0, 13.3, 89.99, 90.0, 90.01, 150.7):
        assert breathing_wave(pattern, [x])[0] == pytest.approx(pacer_state(pattern, x).size)


def test_wave_shape_and_read_only() -> None:
    pattern = BreathingPattern(rate_bpm=5.5, inhale_ratio=1.0, exhale_ratio=2.0)
    t = np.linspace(0.0, 60.0, 7).reshape(7, 1)
    wave = breathing_wave(pattern, t)
    assert wave.shape == (7, 1)
    assert not wave.flags.writeable
    expected = [pacer_state(pattern, float(x)).size for x in t.ravel()]
    np.testing.assert_allclose(wave.ravel(), expected, atol=1e-12)
    assert breathing_wave(pattern, []).shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_bpm": 2.9}, "rate_bpm must be between"),
        ({"rate_bpm": 10.1}, "rate_bpm must be between"),
        ({"rate_bpm": float("nan")}, "must be finite"),
        ({"inhale_ratio": 0.0}, "inhale_ratio must be positive"),
        ({"exhale_ratio": -1.0}, "exhale_ratio must be positive"),
        ({"hold_after_inhale_s": -0.5}, "must not be negative"),
        ({"rate_bpm": 10.0, "hold_after_inhale_s": 2.0, "hold_after_exhale_s": 2.5}, "to breathe"),
        ({"ramp_duration_s": 60.0}, "needs start_rate_bpm"),
        ({"start_rate_bpm": 12.0, "ramp_duration_s": 60.0}, "start_rate_bpm must be between"),
        ({"start_rate_bpm": 10.0, "ramp_duration_s": 60.0, "hold_after_inhale_s": 4.5}, "10/min"),
        ({"ramp_duration_s": -1.0, "start_rate_bpm": 8.0}, "ramp_duration_s must be between"),
        ({"rate_bpm": "6"}, "must be a number"),
    ],
)
def test_invalid_patterns_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BreathingPattern(**kwargs)  # type: ignore[arg-type]


def test_invalid_times_are_refused() -> None:
    pattern = BreathingPattern()
    for bad in (-0.1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="t_s"):
            pacer_state(pattern, bad)
    with pytest.raises(ValueError, match="must not be before"):
        cue_times(pattern, 5.0, 4.0)
    with pytest.raises(ValueError, match="finite times"):
        breathing_wave(pattern, [0.0, -1.0])


def test_pattern_json_round_trip() -> None:
    pattern = BreathingPattern(
        rate_bpm=5.5,
        inhale_ratio=1.0,
        exhale_ratio=2.0,
        hold_after_inhale_s=0.5,
        start_rate_bpm=7.0,
        ramp_duration_s=120.0,
    )
    assert BreathingPattern.from_json(pattern.to_json()) == pattern
    assert pattern.ratio_label == "1:2"
    with pytest.raises(ValueError, match="unknown"):
        BreathingPattern.from_dict({"rate_bpm": 6.0, "speed": 2})
