"""The readiness check: the resting value, the 5% artifact refusal, and the orthostatic rise."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from app.recovery.readiness import (
    ReadinessRefusedError,
    analyze_readiness,
    orthostatic_rise,
)
from tests.stubs import StandInSummary, textbook_summary

FloatArray = npt.NDArray[np.float64]


def resting_rr(duration_s: float, seed: int = 1) -> FloatArray:
    """RR around 950 ms with a breathing rhythm and small noise, lasting `duration_s`."""
    rng = np.random.default_rng(seed)
    rr: list[float] = []
    t = 0.0
    while t < duration_s * 1000:
        value = 950 + 40 * math.sin(2 * math.pi * 0.1 * t / 1000) + rng.normal(0, 8)
        rr.append(value)
        t += value
    return np.asarray(rr)


def test_clean_recording_gives_textbook_values() -> None:
    rr = resting_rr(120)
    result = analyze_readiness(rr, analyzer=textbook_summary)
    want = math.sqrt(float(np.mean(np.diff(rr) ** 2)))
    assert result.rmssd_ms == pytest.approx(want, rel=1e-12)
    assert result.ln_rmssd == pytest.approx(math.log(want), rel=1e-12)
    assert result.mean_hr_bpm == pytest.approx(60000 / rr.mean(), rel=1e-12)
    assert result.artifact_pct == 0.0
    assert result.n_beats == rr.size
    assert result.rest_duration_s == pytest.approx(rr.sum() / 1000)
    assert result.orthostatic is None


def _with_artifacts(rr: FloatArray, fraction: float) -> FloatArray:
    out = rr.copy()
    n_bad = round(fraction * rr.size)
    idx = np.linspace(5, rr.size - 5, n_bad).astype(int)
    out[idx] = out[idx] * 1.9  # a missed beat: twice the interval
    return out


def test_more_than_five_percent_artifacts_is_refused_with_a_clear_message() -> None:
    rr = resting_rr(180)
    bad = _with_artifacts(rr, 0.07)
    with pytest.raises(ReadinessRefusedError, match=r"\d\.\d% of the beats .*more than 5%"):
        analyze_readiness(bad, analyzer=textbook_summary)
    few = _with_artifacts(rr, 0.03)
    result = analyze_readiness(few, analyzer=textbook_summary)
    assert 2.0 < result.artifact_pct <= 5.0


def test_short_empty_and_unanalysable_recordings_are_refused() -> None:
    with pytest.raises(ReadinessRefusedError, match="at least 50 s"):
        analyze_readiness(resting_rr(30), analyzer=textbook_summary)
    with pytest.raises(ReadinessRefusedError, match="no heartbeats"):
        analyze_readiness([], analyzer=textbook_summary)
    with pytest.raises(ReadinessRefusedError, match="invalid"):
        analyze_readiness([800.0, -5.0] * 50, analyzer=textbook_summary)

    def refuses(rr: FloatArray, gaps: npt.NDArray[np.bool_]) -> StandInSummary:
        raise ValueError("too irregular")

    with pytest.raises(ReadinessRefusedError, match="too irregular"):
        analyze_readiness(resting_rr(90), analyzer=refuses)

    def no_rmssd(rr: FloatArray, gaps: npt.NDArray[np.bool_]) -> StandInSummary:
        return StandInSummary(None, 60.0, 0.0)

    with pytest.raises(ReadinessRefusedError, match="too short or too irregular"):
        analyze_readiness(resting_rr(90), analyzer=no_rmssd)


def test_gaps_are_passed_to_the_analysis() -> None:
    rr = resting_rr(120)
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[40] = True
    rr[40] = rr[40] + 150  # a jump across the gap that must not count
    result = analyze_readiness(rr, gaps, analyzer=textbook_summary)
    diffs = np.diff(rr)
    keep = np.ones(diffs.size, dtype=bool)
    keep[39] = False
    assert result.rmssd_ms == pytest.approx(math.sqrt(float(np.mean(diffs[keep] ** 2))))


def test_orthostatic_rise_peak_and_mean() -> None:
    seated = np.full(120, 1000.0)  # 120 s at 60 bpm
    standing = np.concatenate([np.full(10, 600.0), np.full(70, 750.0)])  # 100 bpm, then 80
    rr = np.concatenate([seated, standing])
    seen: list[int] = []

    def counting(rr_ms: FloatArray, gaps: npt.NDArray[np.bool_]) -> StandInSummary:
        seen.append(rr_ms.size)
        return StandInSummary(30.0, 60.0, 0.0)

    result = analyze_readiness(rr, stand_up_s=120.0, analyzer=counting)
    assert seen == [120]  # only the resting part is analysed
    ortho = result.orthostatic
    assert ortho is not None
    assert ortho.reference_hr_bpm == pytest.approx(60.0)
    assert ortho.standing_peak_hr_bpm == pytest.approx(100.0)
    assert ortho.hr_rise_peak_bpm == pytest.approx(40.0)
    t_ms = np.cumsum(rr)
    minute = (t_ms > 120_000) & (t_ms <= 180_000)
    assert ortho.hr_rise_mean_bpm == pytest.approx(60000 / rr[minute].mean() - 60.0)


def test_a_single_artifact_cannot_make_the_orthostatic_peak() -> None:
    rr = np.concatenate([np.full(120, 1000.0), np.full(80, 750.0)])
    rr[150] = 300.0  # one extra beat: 200 bpm for an instant
    got = orthostatic_rise(np.cumsum(rr), rr, 120.0)
    assert not isinstance(got, str)
    assert got.standing_peak_hr_bpm == pytest.approx(80.0)


def test_too_short_standing_keeps_the_resting_value_with_a_note() -> None:
    seated = resting_rr(120)
    rr = np.concatenate([seated, np.full(20, 750.0)])  # 15 s standing
    stand_up_s = float(seated.sum()) / 1000
    result = analyze_readiness(rr, stand_up_s=stand_up_s, analyzer=textbook_summary)
    assert result.orthostatic is None
    assert (
        result.orthostatic_note is not None and "30 seconds of standing" in result.orthostatic_note
    )
    assert result.mean_hr_bpm == pytest.approx(60000 / seated.mean())
    assert result.n_beats == seated.size


def test_with_the_real_hrv_core() -> None:
    rr = resting_rr(180, seed=3)
    result = analyze_readiness(rr)  # the default analyzer is the HRV core's
    want = math.sqrt(float(np.mean(np.diff(rr) ** 2)))
    assert result.rmssd_ms == pytest.approx(want, rel=0.02)
    bad = _with_artifacts(rr, 0.08)
    with pytest.raises(ReadinessRefusedError):
        analyze_readiness(bad)
