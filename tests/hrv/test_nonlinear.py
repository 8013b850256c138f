"""DFA alpha1 against pyhrv and known signals; the stress index against its definition."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from app.hrv.nonlinear import dfa_alpha1, stress_index_sqrt
from app.hrv.report import analyze

from .helpers import ALL_SHORT, LONG_24H, load, reference

ONE_SEGMENT = np.zeros(1, dtype=np.intp)


@pytest.mark.parametrize("name", [*ALL_SHORT, LONG_24H])
def test_dfa_alpha1_within_10_percent_of_pyhrv(name: str) -> None:
    alpha = dfa_alpha1(load(name), ONE_SEGMENT)
    assert alpha == pytest.approx(reference(name, "pyhrv")["DFA_a1"], rel=0.10)


def naive_dfa_alpha1(rr: npt.NDArray[np.float64]) -> float:
    """DFA alpha1 written out box by box, as in Peng et al. 1995."""
    profile = np.cumsum(rr - rr.mean())
    log_n, log_f = [], []
    for n in range(4, 17):
        squares = []
        for k in range(len(profile) // n):
            box = profile[k * n : (k + 1) * n]
            t = np.arange(n)
            fit = np.polyval(np.polyfit(t, box, 1), t)
            squares.extend((box - fit) ** 2)
        log_n.append(np.log(n))
        log_f.append(np.log(np.sqrt(np.mean(squares))))
    return float(np.polyfit(log_n, log_f, 1)[0])


def test_dfa_equals_the_box_by_box_definition() -> None:
    rr = load("rest_5min_pyhrv_short.txt")
    assert dfa_alpha1(rr, ONE_SEGMENT) == pytest.approx(naive_dfa_alpha1(rr), rel=1e-9)


def test_dfa_tells_noise_from_a_random_walk() -> None:
    rng = np.random.default_rng(3)
    noise = 900 + 30 * rng.standard_normal(20_000)
    walk = 900 + np.cumsum(rng.standard_normal(20_000))
    # short-box DFA of white noise sits a little above the asymptotic 0.5
    assert 0.45 < (dfa_alpha1(noise, ONE_SEGMENT) or 0) < 0.65
    assert dfa_alpha1(walk, ONE_SEGMENT) == pytest.approx(1.5, abs=0.1)


def test_dfa_boxes_stay_inside_segments() -> None:
    rng = np.random.default_rng(4)
    noise = 900 + 30 * rng.standard_normal(2_000)
    step = np.zeros(2_000)
    step[1_000:] = 400.0  # a level step at a gap must not look like a trend
    noise = noise + step
    starts = np.array([0, 1_000], dtype=np.intp)
    assert dfa_alpha1(noise, starts) == pytest.approx(dfa_alpha1(noise - step, starts), rel=1e-9)
    assert 0.45 < (dfa_alpha1(noise, starts) or 0) < 0.65


def test_stress_index_follows_baevsky_with_kubios_conventions() -> None:
    rr = np.array([800.0] * 6 + [820.0] * 2 + [870.0, 760.0, 810.0, 1000.0])
    amo_pct = 100.0 * 9 / 12  # 800-849 ms bin holds 800 x6, 820 x2, 810
    mode_s = float(np.median(rr)) / 1000.0
    range_s = (1000.0 - 760.0) / 1000.0
    expected = math.sqrt(amo_pct / (2 * mode_s * range_s))
    assert stress_index_sqrt(rr) == pytest.approx(expected)
    assert stress_index_sqrt(np.full(20, 800.0)) is None


def test_short_series_gets_dfa_null_with_reason() -> None:
    report = analyze(np.full(40, 800.0) + np.arange(40) % 3)
    assert report.dfa_a1 is None
    assert "DFA" in report.reasons["dfa_a1"]
