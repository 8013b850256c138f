"""Time-domain metrics and Poincaré SD1/SD2 against textbook formulas and the reference rows."""

from __future__ import annotations

import numpy as np
import pytest

from app.hrv import time_domain
from app.hrv.nonlinear import poincare_sd1_sd2
from app.hrv.report import analyze
from app.hrv.segments import successive_differences, validate_rr

from .helpers import ALL_SHORT, load, reference

ONE_SEGMENT = np.zeros(1, dtype=np.intp)


@pytest.mark.parametrize("name", ALL_SHORT)
def test_time_domain_equals_textbook_formulas(name: str) -> None:
    rr = load(name)
    report = analyze(rr, correction="none")
    diffs = np.diff(rr)
    expected = {
        "mean_rr_ms": sum(rr) / len(rr),
        "mean_hr_bpm": 60_000.0 / (sum(rr) / len(rr)),
        "sdnn_ms": np.sqrt(sum((rr - rr.mean()) ** 2) / (len(rr) - 1)),
        "rmssd_ms": np.sqrt(sum(diffs**2) / len(diffs)),
        "ln_rmssd": np.log(np.sqrt(sum(diffs**2) / len(diffs))),
        "pnn50_pct": 100.0 * sum(abs(d) > 50 for d in diffs) / len(diffs),
    }
    for key, value in expected.items():
        assert getattr(report, key) == pytest.approx(value, rel=1e-3), key


@pytest.mark.parametrize("name", ALL_SHORT)
def test_time_domain_matches_the_reference_libraries(name: str) -> None:
    report = analyze(load(name), correction="none")
    ref = reference(name, "numpy")
    assert report.mean_rr_ms == pytest.approx(ref["MeanRR"], rel=1e-3)
    assert report.sdnn_ms == pytest.approx(ref["SDNN"], rel=1e-3)
    assert report.rmssd_ms == pytest.approx(ref["RMSSD"], rel=1e-3)
    assert report.pnn50_pct == pytest.approx(ref["pNN50"], rel=1e-3)


@pytest.mark.parametrize("name", ALL_SHORT)
def test_sd1_sd2_equal_the_spread_of_the_poincare_cloud(name: str) -> None:
    rr = load(name)
    x, y = rr[:-1], rr[1:]
    across = (y - x) / np.sqrt(2)
    along = (y + x) / np.sqrt(2)
    sd1, sd2 = poincare_sd1_sd2(rr, successive_differences(rr, ONE_SEGMENT))
    assert sd1 == pytest.approx(np.std(across, ddof=1), rel=0.01)
    assert sd2 == pytest.approx(np.std(along, ddof=1), rel=0.01)
    ref = reference(name, "pyhrv")
    assert sd1 == pytest.approx(ref["SD1"], rel=0.01)
    assert sd2 == pytest.approx(ref["SD2"], rel=0.01)


def test_differences_never_cross_a_gap() -> None:
    rr = validate_rr([800.0, 810, 820, 1500, 1510, 1520, 1530, 800, 805, 810])
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[[3, 7]] = True
    report = analyze(rr, gap_before=gaps, correction="none")
    within = np.array([10.0, 10, 10, 10, 10, 5, 5])
    assert report.rmssd_ms == pytest.approx(time_domain.rmssd_ms(within))
    assert report.pnn50_pct == 0.0
    without_gaps = analyze(rr, correction="none")
    assert without_gaps.rmssd_ms is not None
    assert without_gaps.rmssd_ms > 200
