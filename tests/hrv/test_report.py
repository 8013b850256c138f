"""`analyze`: exact keys, finite numbers or clear refusals, short and 24 h recordings."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.hrv.coherence import coherence_ratios, score_from_ratio
from app.hrv.errors import InsufficientDataError, InvalidRRError
from app.hrv.report import JSON_KEYS, analyze, analyze_detailed

from .helpers import LONG_24H, load

CLI_KEYS = [
    "n_beats",
    "duration_s",
    "artifact_pct",
    "mean_rr_ms",
    "mean_hr_bpm",
    "sdnn_ms",
    "rmssd_ms",
    "ln_rmssd",
    "pnn50_pct",
    "vlf_ms2",
    "lf_ms2",
    "hf_ms2",
    "lf_hf",
    "lf_nu",
    "hf_nu",
    "lf_peak_hz",
    "hf_peak_hz",
    "sd1_ms",
    "sd2_ms",
    "dfa_a1",
    "stress_index",
    "coherence",
    "breathing_rate_per_min",
]


def test_json_has_exactly_the_documented_keys() -> None:
    report = analyze(load("rest_5min_pyhrv_short.txt"))
    data = report.to_json_dict()
    assert list(data) == CLI_KEYS == list(JSON_KEYS)
    assert all(isinstance(v, int | float) for v in data.values())
    json.dumps(data, allow_nan=False)
    assert data["n_beats"] == 337
    assert report.reasons == {}


def test_correction_none_uses_the_values_as_given() -> None:
    rr = load("artifacts_40min_polar_noisy_rri.txt")
    raw = analyze(rr, correction="none")
    corrected = analyze(rr)
    assert raw.rmssd_ms == pytest.approx(float(np.sqrt(np.mean(np.diff(rr) ** 2))))
    assert corrected.rmssd_ms is not None
    assert raw.rmssd_ms is not None
    assert corrected.rmssd_ms < 0.8 * raw.rmssd_ms
    assert raw.artifact_pct == corrected.artifact_pct
    assert corrected.artifact_pct is not None
    # Its six missed beats (intervals over 1.5 x the local median) are found; its slow swings
    # of a few beats are real intervals and stay (see tests/hrv/test_artifacts.py).
    assert corrected.artifact_pct >= 100 * 6 / rr.size


def test_a_24_hour_recording_is_analysed_whole() -> None:
    report = analyze(load(LONG_24H))
    data = report.to_json_dict()
    assert all(v is not None and math.isfinite(v) for v in data.values())
    assert report.duration_s is not None
    assert report.duration_s > 22 * 3600
    assert report.artifact_pct is not None
    assert report.artifact_pct < 5.0


def test_a_one_minute_window_gives_what_it_can() -> None:
    rr = load("rest_16min_hrv_rest_rri.txt")
    report = analyze(rr[np.cumsum(rr) <= 60_000])
    assert report.rmssd_ms is not None
    assert report.ln_rmssd is not None
    assert report.sd1_ms is not None
    for key, value in report.to_json_dict().items():
        assert (value is None) == (key in report.reasons), key


@pytest.mark.parametrize(
    ("rr", "error"),
    [
        ([800.0] * 9, InsufficientDataError),
        ([800.0] * 9 + [float("nan")], InvalidRRError),
        ([800.0] * 9 + [-1.0], InvalidRRError),
        ([800.0] * 9 + [1e9], InvalidRRError),
        ([[800.0] * 10], InvalidRRError),
    ],
)
def test_bad_input_is_refused_clearly(rr: list[float], error: type[ValueError]) -> None:
    with pytest.raises(error) as caught:
        analyze(rr)
    assert "\n" not in str(caught.value)


def test_a_constant_series_is_analysed_without_nonsense() -> None:
    report = analyze(np.full(400, 1000.0))
    assert report.rmssd_ms == 0.0
    assert report.ln_rmssd is None
    assert report.lf_hf is None
    assert report.stress_index is None
    assert set(report.reasons) >= {"ln_rmssd", "lf_hf", "stress_index", "dfa_a1"}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=0,
        max_size=400,
    ),
    st.booleans(),
    st.sampled_from(["auto", "none"]),
)
def test_any_positive_series_gives_finite_metrics_or_a_clear_refusal(
    rr: list[float], with_gaps: bool, correction: str
) -> None:
    gaps = None
    if with_gaps and rr:
        gaps = np.zeros(len(rr), dtype=bool)
        gaps[:: max(1, len(rr) // 3)] = True
    try:
        report = analyze(rr, gap_before=gaps, correction="auto" if correction == "auto" else "none")
    except ValueError as exc:
        assert isinstance(exc, InvalidRRError | InsufficientDataError)
        assert str(exc)
        return
    for key, value in report.to_json_dict().items():
        assert value is None or math.isfinite(value), key
        assert (value is None) == (key in report.reasons), key


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=300, max_value=2000), min_size=10, max_size=300))
def test_plausible_series_always_give_time_domain_numbers(rr: list[float]) -> None:
    report = analyze(rr)
    assert report.mean_rr_ms is not None
    assert report.sdnn_ms is not None
    assert report.rmssd_ms is not None


def test_detailed_analysis_carries_the_spectrum_and_the_beat_kinds() -> None:
    rr = load("artifacts_40min_polar_noisy_rri.txt")
    detailed = analyze_detailed(rr)
    assert detailed.report == analyze(rr)
    assert detailed.spectrum is not None
    lf_band = (detailed.spectrum.freqs_hz >= 0.04) & (detailed.spectrum.freqs_hz < 0.15)
    step = detailed.spectrum.freqs_hz[1] - detailed.spectrum.freqs_hz[0]
    assert detailed.report.lf_ms2 == pytest.approx(
        float(detailed.spectrum.psd_ms2_per_hz[lf_band].sum() * step)
    )
    assert len(detailed.correction.kinds) == rr.size
    assert detailed.report.artifact_pct == detailed.correction.artifact_pct


def test_coherence_is_on_the_shown_zero_to_ten_scale() -> None:
    rr = load("slowbreath_11min_meditation_Y2med.txt")
    report = analyze(rr, correction="none")
    ratios = coherence_ratios(rr)
    assert ratios.size > 5
    expected = float(np.mean([score_from_ratio(float(r)) for r in ratios]))
    assert report.coherence == pytest.approx(expected, rel=1e-12)
    assert 0.0 < expected < 10.0
