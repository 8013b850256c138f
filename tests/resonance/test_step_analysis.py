"""Step analysis and recommendation on synthetic sessions with a known resonance, and real data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from app.breathing import BreathingPattern
from app.breathing.resonance import (
    MAX_ARTIFACT_PCT,
    PROTOCOL_RATES_BPM,
    AssessmentResult,
    StepResult,
    analyze_step,
    phase_deg,
    recommend,
)
from tests.resonance.synthetic import SyntheticSession, build_session, lead_rad

SLOWBREATH = Path(__file__).parents[1] / "data" / "rr" / "slowbreath_11min_meditation_Y2med.txt"


def analyse_all(session: SyntheticSession) -> list[StepResult]:
    return [
        analyze_step(
            session.t_ms,
            session.rr_ms,
            session.gap_before,
            pattern=BreathingPattern(rate_bpm=rate),
            step_start_s=start,
            step_end_s=end,
        )
        for rate, start, end in session.steps
    ]


@pytest.mark.parametrize("resonance_bpm", [4.5, 5.0, 5.5, 6.0, 6.5])
def test_recommends_the_known_resonance(resonance_bpm: float) -> None:
    session = build_session(resonance_bpm, seed=int(resonance_bpm * 10), ectopic_at_s=(300.0,))
    steps = analyse_all(session)
    result = recommend(steps)
    assert result is not None
    assert result.rate_bpm == resonance_bpm
    assert "the largest heart-rate swing per breath" in result.won
    swings = {s.rate_bpm: s.swing_bpm for s in steps}
    assert max(swings, key=lambda r: swings[r] or 0.0) == resonance_bpm


def test_measures_follow_the_breathing() -> None:
    session = build_session(5.5, seed=3, ectopic_at_s=(200.0,))
    steps = analyse_all(session)
    for step in steps:
        assert step.usable, step
        # the LF peak sits at the breathing frequency (0.001 Hz grid, ~100 s window)
        assert step.lf_peak_hz == pytest.approx(step.rate_bpm / 60.0, abs=0.004)
        assert step.lf_peak_count == 1
        assert step.lf_peak_power_ms2 is not None and step.lf_power_ms2 is not None
        assert 0.8 * step.lf_power_ms2 < step.lf_peak_power_ms2 <= step.lf_power_ms2
        # phase: the series was built with a known lead of the heart rate over the breath
        expected = math.degrees(lead_rad(step.rate_bpm, 5.5))
        assert step.phase_deg == pytest.approx(expected, abs=8.0)
        assert 90 <= step.n_beats <= 130
        assert step.analysed_s == pytest.approx(100.0, abs=2.0)
    # the ectopic beat at 200 s falls into the 6.0/min step (155-275 s): it is found
    by_rate = {s.rate_bpm: s for s in steps}
    assert by_rate[6.0].artifact_pct > 0.0
    assert by_rate[6.5].artifact_pct == 0.0


def test_ectopic_beat_does_not_inflate_the_swing() -> None:
    clean = analyse_all(build_session(5.5, seed=4))
    ectopic = analyse_all(build_session(5.5, seed=4, ectopic_at_s=(200.0,)))
    for a, b in zip(clean, ectopic, strict=True):
        assert a.swing_bpm is not None and b.swing_bpm is not None
        assert b.swing_bpm == pytest.approx(a.swing_bpm, rel=0.1)


def test_the_settling_time_is_left_out() -> None:
    session = build_session(5.5, seed=5)
    rate, start, end = session.steps[0]
    step = analyze_step(
        session.t_ms,
        session.rr_ms,
        None,
        pattern=BreathingPattern(rate_bpm=rate),
        step_start_s=start,
        step_end_s=end,
    )
    t_s = session.t_ms / 1000.0
    inside = (t_s - session.rr_ms / 1000.0 >= start + 20.0) & (t_s <= end)
    assert step.n_beats == int(inside.sum())


def test_phase_sign_convention() -> None:
    pattern = BreathingPattern(rate_bpm=6.0)
    t = np.arange(20.0, 120.0, 0.25)
    cycles = t * 6.0 / 60.0
    # heart rate in step with the lung fill: 0 deg; peaking 1 s (36 deg at 6/min) earlier: +36
    in_step = 70.0 - 5.0 * np.cos(2 * np.pi * cycles)
    earlier = 70.0 - 5.0 * np.cos(2 * np.pi * (cycles + 0.1))
    later = 70.0 - 5.0 * np.cos(2 * np.pi * (cycles - 0.1))
    assert phase_deg(pattern, 0.0, t, in_step) == pytest.approx(0.0, abs=1.0)
    assert phase_deg(pattern, 0.0, t, earlier) == pytest.approx(36.0, abs=1.0)
    assert phase_deg(pattern, 0.0, t, later) == pytest.approx(-36.0, abs=1.0)


def test_noisy_step_is_marked_and_left_out() -> None:
    ectopics = tuple(float(s) for s in np.arange(330.0, 420.0, 14.0))  # in the 5.5/min step
    session = build_session(5.5, seed=6, ectopic_at_s=ectopics)
    steps = analyse_all(session)
    by_rate = {s.rate_bpm: s for s in steps}
    assert by_rate[5.5].artifact_pct > MAX_ARTIFACT_PCT
    assert by_rate[5.5].too_many_artifacts and not by_rate[5.5].usable
    result = recommend(steps)
    assert result is not None
    assert 5.5 in result.excluded
    assert result.rate_bpm in (5.0, 6.0)  # the neighbours of the true resonance
    # a clean repeat of the step replaces the noisy one
    repeat = analyse_all(build_session(5.5, seed=7))
    again = recommend([*steps, next(s for s in repeat if s.rate_bpm == 5.5)])
    assert again is not None and again.rate_bpm == 5.5 and not again.excluded


def test_too_little_data_is_refused() -> None:
    session = build_session(5.5, seed=8)
    rate, start, _ = session.steps[0]
    step = analyze_step(
        session.t_ms,
        session.rr_ms,
        None,
        pattern=BreathingPattern(rate_bpm=rate),
        step_start_s=start,
        step_end_s=start + 60.0,
    )
    assert not step.usable and step.reason is not None and "too little" in step.reason
    assert recommend([step]) is None


def test_gap_splits_the_step() -> None:
    session = build_session(5.5, seed=9)
    rate, start, end = session.steps[2]
    gaps = session.gap_before.copy()
    mid = int(np.searchsorted(session.t_ms, (start + 70.0) * 1000.0))
    gaps[mid] = True
    with_gap = analyze_step(
        session.t_ms,
        session.rr_ms,
        gaps,
        pattern=BreathingPattern(rate_bpm=rate),
        step_start_s=start,
        step_end_s=end,
    )
    assert with_gap.swing_bpm is not None
    assert with_gap.lf_peak_hz is None or abs(with_gap.lf_peak_hz - rate / 60) < 0.01


def test_rank_ties_are_broken_by_swing() -> None:
    base = {
        "n_beats": 100,
        "analysed_s": 100.0,
        "lf_peak_hz": 0.1,
        "lf_peak_count": 1,
        "artifact_pct": 0.0,
    }
    a = StepResult(
        rate_bpm=6.0,
        swing_bpm=10.0,
        lf_peak_power_ms2=100.0,
        lf_power_ms2=200.0,
        phase_deg=5.0,
        **base,  # type: ignore[arg-type]
    )
    b = StepResult(
        rate_bpm=5.5,
        swing_bpm=11.0,
        lf_peak_power_ms2=200.0,
        lf_power_ms2=100.0,
        phase_deg=-6.0,
        **base,  # type: ignore[arg-type]
    )
    result = recommend([a, b])
    assert result is not None
    assert result.rank_sums[6.0] == result.rank_sums[5.5]
    assert result.rate_bpm == 5.5


def test_result_json_round_trip() -> None:
    steps = analyse_all(build_session(5.0, seed=10))
    rec = recommend(steps)
    assert rec is not None
    result = AssessmentResult(7, "2026-01-02T03:04:05", tuple(steps), rec.rate_bpm, rec.reason)
    assert AssessmentResult.from_dict(result.to_dict()) == result


def slowbreath() -> tuple[np.ndarray, np.ndarray]:
    rr = np.loadtxt(SLOWBREATH)
    return np.cumsum(rr), rr


def test_slow_breathing_recording_whole() -> None:
    t_ms, rr = slowbreath()
    step = analyze_step(
        t_ms,
        rr,
        None,
        pattern=BreathingPattern(rate_bpm=6.0),
        step_start_s=0.0,
        step_end_s=float(t_ms[-1]) / 1000.0,
    )
    assert step.usable
    assert step.lf_peak_hz == pytest.approx(0.102, abs=0.005)
    assert step.artifact_pct < MAX_ARTIFACT_PCT
    assert step.swing_bpm is not None and step.swing_bpm > 10.0


def test_slow_breathing_recording_in_steps() -> None:
    t_ms, rr = slowbreath()
    peaks = []
    for k, rate in enumerate(PROTOCOL_RATES_BPM):
        start = k * 130.0
        step = analyze_step(
            t_ms,
            rr,
            None,
            pattern=BreathingPattern(rate_bpm=rate),
            step_start_s=start,
            step_end_s=start + 120.0,
        )
        assert step.lf_peak_hz is not None
        assert step.lf_peak_count is not None and step.lf_peak_count >= 1
        assert step.artifact_pct < MAX_ARTIFACT_PCT
        peaks.append(step.lf_peak_hz)
        assert 0.085 <= step.lf_peak_hz <= 0.12
    assert float(np.median(peaks)) == pytest.approx(0.102, abs=0.008)
