"""A step counts only when its breathing matched the pacer: synthetic steps, real recordings,
the choice among valid steps, and the stored result."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.breathing import BreathingPattern
from app.breathing.resonance import (
    NOT_FOLLOWED_TEXT,
    PROTOCOL_RATES_BPM,
    RATE_TOLERANCE_PER_MIN,
    AssessmentResult,
    StepResult,
    analyze_step,
    breathing_matched,
    recommend,
)
from app.hrv.following import FOLLOWING_THRESHOLD
from app.session.assessment_run import result_reason
from app.store import open_store
from app.store.assessments import assessment_result, save_assessment_result
from app.store.validation import SessionKind
from tests.resonance.synthetic import build_session

RR_DIR = Path(__file__).parents[1] / "data" / "rr"


def _step(rate: float, **values: object) -> StepResult:
    """A clean, valid step whose measures grow towards 5.5/min unless given."""
    closeness = math.exp(-0.5 * ((rate - 5.5) / 0.6) ** 2)
    base: dict[str, object] = {
        "swing_bpm": 5.0 + 15.0 * closeness,
        "lf_peak_hz": rate / 60.0,
        "lf_peak_power_ms2": 500.0 + 3000.0 * closeness,
        "lf_power_ms2": 900.0 + 3500.0 * closeness,
        "phase_deg": 40.0 * (5.5 - rate),
        "lf_peak_count": 1,
        "breathing_rate_per_min": rate,
        "following": 0.9,
        "matched_pacer": True,
    }
    base.update(values)
    return StepResult(rate, 100, 100.0, **base)  # type: ignore[arg-type]


def test_matching_needs_following_and_the_breathing_rate() -> None:
    assert breathing_matched(6.0, 6.0, 0.9) is True
    assert breathing_matched(6.0, 6.0 + RATE_TOLERANCE_PER_MIN, FOLLOWING_THRESHOLD) is True
    assert breathing_matched(6.0, 6.0, FOLLOWING_THRESHOLD - 0.01) is False
    assert breathing_matched(6.0, 6.5, 0.9) is False  # the neighbouring step's rate
    assert breathing_matched(6.0, 5.5, 0.9) is False
    assert breathing_matched(6.0, None, 0.9) is None
    assert breathing_matched(6.0, 6.0, None) is None
    assert RATE_TOLERANCE_PER_MIN < 0.5  # below the protocol's step, so a neighbour is caught


def test_a_step_not_followed_is_left_out_even_when_it_would_win() -> None:
    steps = [_step(rate) for rate in PROTOCOL_RATES_BPM]
    assert recommend(steps) is not None and recommend(steps).rate_bpm == 5.5  # type: ignore[union-attr]
    # 5.5 was breathed at 6.5: its large waves belong to some other breathing
    steps[2] = _step(5.5, breathing_rate_per_min=6.5, following=0.2, matched_pacer=False)
    assert steps[2].not_followed and not steps[2].usable
    rec = recommend(steps)
    assert rec is not None
    assert rec.rate_bpm in (5.0, 6.0) and rec.rate_bpm != 5.5
    assert rec.not_followed == (5.5,) and 5.5 in rec.excluded
    assert 5.5 not in rec.order and rec.order[0] == rec.rate_bpm
    assert sorted(rec.order) == [4.5, 5.0, 6.0, 6.5]
    reason = result_reason(tuple(steps), rec)
    assert "did not match the pacer: 5.5 breaths/min" in reason
    assert "Repeat those steps" in reason


def test_no_step_followed_means_no_recommendation() -> None:
    steps = tuple(
        _step(rate, breathing_rate_per_min=11.0, following=0.05, matched_pacer=False)
        for rate in PROTOCOL_RATES_BPM
    )
    assert recommend(steps) is None
    reason = result_reason(steps, None)
    assert reason.startswith("Your breathing did not match the pacer in any step")
    assert "6.5, 6, 5.5, 5 and 4.5 breaths/min" in reason


def test_steps_stored_before_the_check_still_count() -> None:
    old = [
        _step(rate, breathing_rate_per_min=None, following=None, matched_pacer=None)
        for rate in (6.0, 5.5)
    ]
    assert all(s.usable for s in old)
    rec = recommend(old)
    assert rec is not None and rec.rate_bpm == 5.5


def _analyse(session_rates: tuple[float, ...], paced: tuple[float, ...]) -> list[StepResult]:
    """Steps whose heart breathed at `session_rates` while the pacer showed `paced`."""
    session = build_session(5.5, seed=4, rates=session_rates)
    return [
        analyze_step(
            session.t_ms,
            session.rr_ms,
            session.gap_before,
            pattern=BreathingPattern(rate_bpm=pacer),
            step_start_s=start,
            step_end_s=end,
        )
        for pacer, (_, start, end) in zip(paced, session.steps, strict=True)
    ]


def test_synthetic_steps_breathed_at_the_pacer_are_valid() -> None:
    steps = _analyse(PROTOCOL_RATES_BPM, PROTOCOL_RATES_BPM)
    for step in steps:
        assert step.matched_pacer is True, step
        assert step.breathing_rate_per_min == pytest.approx(step.rate_bpm, abs=0.2)
        assert step.following is not None and step.following > 0.8
    rec = recommend(steps)
    assert rec is not None and rec.rate_bpm == 5.5 and rec.not_followed == ()


def test_synthetic_steps_breathed_at_another_rate_are_not_valid() -> None:
    # the heart breathed 6.5 throughout while the pacer went down to 4.5
    steps = _analyse((6.5,) * 5, PROTOCOL_RATES_BPM)
    assert steps[0].matched_pacer is True
    for step in steps[1:]:
        assert step.matched_pacer is False, step
        assert step.breathing_rate_per_min == pytest.approx(6.5, abs=0.2)
    rec = recommend(steps)
    assert rec is not None and rec.rate_bpm == 6.5
    assert rec.not_followed == (6.0, 5.5, 5.0, 4.5)


def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    rr = np.loadtxt(RR_DIR / name)
    return np.cumsum(rr), rr


def _two_minute_steps(name: str, rate: float) -> list[StepResult]:
    t_ms, rr = _load(name)
    return [
        analyze_step(
            t_ms,
            rr,
            None,
            pattern=BreathingPattern(rate_bpm=rate),
            step_start_s=start_s,
            step_end_s=start_s + 120.0,
        )
        for start_s in np.arange(0.0, t_ms[-1] / 1000.0 - 120.0, 60.0)
    ]


def test_self_paced_slow_breathing_is_valid_at_the_rate_breathed() -> None:
    """Y2med breathes slowly by itself, between about 4.5 and 6.5 a minute (6.1 overall): each
    2-minute stretch is valid at the protocol rate nearest its own slow wave (the LF peak of the
    Welch spectrum, a separate estimate) and not valid 1 breath/min or more away from it."""
    by_rate = {
        rate: _two_minute_steps("slowbreath_11min_meditation_Y2med.txt", rate)
        for rate in PROTOCOL_RATES_BPM
    }
    stretches = len(by_rate[6.0])
    assert stretches >= 9
    checked_valid = checked_invalid = 0
    for k in range(stretches):
        peak_hz = by_rate[6.0][k].lf_peak_hz
        assert peak_hz is not None
        wave_per_min = 60.0 * peak_hz
        nearest = min(PROTOCOL_RATES_BPM, key=lambda r: abs(r - wave_per_min))
        if abs(nearest - wave_per_min) <= 0.25:
            assert by_rate[nearest][k].matched_pacer is True, (k, wave_per_min)
            checked_valid += 1
        for rate in PROTOCOL_RATES_BPM:
            if abs(rate - wave_per_min) >= 1.0:
                assert by_rate[rate][k].matched_pacer is False, (k, rate, wave_per_min)
                checked_invalid += 1
    assert checked_valid >= 9 and checked_invalid >= 10


def test_fast_paced_breathing_is_valid_at_no_slow_rate() -> None:
    """M10 breathes with a metronome at 15/min: no step of the protocol matches it."""
    for rate in PROTOCOL_RATES_BPM:
        steps = _two_minute_steps("paced0.25Hz_10min_meditation_M10.txt", rate)
        assert len(steps) >= 7
        for step in steps:
            assert step.matched_pacer is False, step
            assert step.breathing_rate_per_min is not None
            assert abs(step.breathing_rate_per_min - 15.0) <= 0.7
        assert recommend(steps) is None


def test_validity_is_stored_and_read_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    session_id = store.start_session(SessionKind.ASSESSMENT)
    steps = (
        _step(6.5),
        _step(6.0, breathing_rate_per_min=6.6, following=0.8, matched_pacer=False),
        _step(5.5, breathing_rate_per_min=None, following=None, matched_pacer=None),
    )
    result = AssessmentResult(session_id, "2026-12-06T20:00:00+00:00", steps, 6.5, "why")
    save_assessment_result(store, result)
    stored = assessment_result(store, session_id)
    assert stored == result
    assert stored is not None
    assert [s.matched_pacer for s in stored.steps] == [True, False, None]
    assert stored.steps[1].not_followed and stored.steps[1].breathing_rate_per_min == 6.6
    store.close()


def test_the_words_for_a_step_not_followed() -> None:
    assert NOT_FOLLOWED_TEXT == "Not valid - breathing did not match the pacer"
    assert replace(_step(6.0), matched_pacer=False).not_followed
