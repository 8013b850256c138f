"""The exponential fit of recovery speed (NumPy only) against SciPy's `curve_fit` (test-only).

For a fixed tau the best HR_0 and HR_end are linear least squares; tau comes from a bounded 1-D
search. It must find the tau `curve_fit` finds from the old starting guess, and never a worse fit.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pytest
from scipy import optimize

from app.recovery.recovery_speed import TAU_BOUNDS_S, ExponentialFit, fit_exponential

FloatArray = npt.NDArray[np.float64]


def _decay(t: FloatArray, hr_end: float, hr_0: float, tau: float) -> FloatArray:
    return hr_end + (hr_0 - hr_end) * np.exp(-t / tau)


def _scipy_fit(t: FloatArray, y: FloatArray) -> tuple[float, float, float]:
    """What recovery speed did with SciPy: bounded `curve_fit` from the same starting guess."""
    tail = y[t >= t[0] + 0.8 * (t[-1] - t[0])]
    p0 = (float(np.median(tail)), float(y[0]), max(TAU_BOUNDS_S[0], (t[-1] - t[0]) / 6.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optimize.OptimizeWarning)
        params, _ = optimize.curve_fit(
            _decay,
            t - t[0],
            y,
            p0=p0,
            bounds=((0.0, 0.0, TAU_BOUNDS_S[0]), (400.0, 400.0, TAU_BOUNDS_S[1])),
            maxfev=5000,
        )
    hr_end, hr_0, tau = (float(p) for p in params)
    return hr_end, hr_0, tau


def _sse(t: FloatArray, y: FloatArray, hr_end: float, hr_0: float, tau: float) -> float:
    return float(np.sum((y - _decay(t - t[0], hr_end, hr_0, tau)) ** 2))


def _case(seed: int) -> tuple[FloatArray, FloatArray, float]:
    rng = np.random.default_rng(seed)
    duration_s = float(rng.integers(60, 181))
    t = np.arange(0.0, duration_s + 0.5) + float(rng.uniform(0.0, 500.0))
    tau = float(np.exp(rng.uniform(np.log(3.0), np.log(120.0))))
    hr_end = float(rng.uniform(50.0, 90.0))
    hr_0 = hr_end + float(rng.uniform(8.0, 70.0))
    noise = rng.normal(0.0, float(rng.uniform(0.2, 3.0)), t.size)
    breathing = float(rng.uniform(0.0, 2.0)) * np.sin(2 * np.pi * (t - t[0]) / rng.uniform(4, 10))
    return t, _decay(t - t[0], hr_end, hr_0, tau) + noise + breathing, tau


@pytest.mark.parametrize("seed", range(40))
def test_same_fit_as_scipy_curve_fit_on_random_recoveries(seed: int) -> None:
    t, y, _ = _case(seed)
    ours = fit_exponential(t, y)
    assert isinstance(ours, ExponentialFit)
    hr_end, hr_0, tau = _scipy_fit(t, y)
    our_sse = _sse(t, y, ours.hr_end_bpm, ours.hr_0_bpm, ours.tau_s)
    assert our_sse <= _sse(t, y, hr_end, hr_0, tau) * (1.0 + 1e-9)
    # curve_fit stops when its step is 1e-8 of the parameters; in a flat valley of the residual
    # that leaves about 1e-6 in the parameters (and the sum above shows ours is not worse).
    assert ours.tau_s == pytest.approx(tau, rel=1e-5)
    assert ours.hr_end_bpm == pytest.approx(hr_end, rel=1e-5)
    assert ours.hr_0_bpm == pytest.approx(hr_0, rel=1e-5)


def test_noise_free_decay_is_recovered_exactly() -> None:
    t = np.arange(0.0, 150.0)
    fit = fit_exponential(t, _decay(t, 62.0, 118.0, 23.5))
    assert isinstance(fit, ExponentialFit)
    assert fit.tau_s == pytest.approx(23.5, rel=1e-7)
    assert fit.hr_end_bpm == pytest.approx(62.0, rel=1e-9)
    assert fit.hr_0_bpm == pytest.approx(118.0, rel=1e-9)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("true_tau_s", [0.3, 5000.0])
def test_tau_stays_within_its_bounds_like_scipy(true_tau_s: float) -> None:
    t = np.arange(0.0, 120.0)
    y = _decay(t, 70.0, 100.0, true_tau_s) + np.random.default_rng(3).normal(0.0, 0.5, t.size)
    fit = fit_exponential(t, y)
    assert isinstance(fit, ExponentialFit)
    assert TAU_BOUNDS_S[0] <= fit.tau_s <= TAU_BOUNDS_S[1]
    hr_end, hr_0, tau = _scipy_fit(t, y)
    assert _sse(t, y, fit.hr_end_bpm, fit.hr_0_bpm, fit.tau_s) <= _sse(t, y, hr_end, hr_0, tau) * (
        1.0 + 1e-9
    )


def test_heart_rate_bounds_hold_like_scipy() -> None:
    # A slow rise whose free fit needs HR_end above 400 bpm: the fit stays on the 0-400 bpm box.
    t = np.arange(0.0, 90.0)
    y = _decay(t, 450.0, 50.0, 400.0) + np.random.default_rng(5).normal(0.0, 0.3, t.size)
    fit = fit_exponential(t, y)
    assert isinstance(fit, ExponentialFit)
    assert fit.hr_end_bpm == 400.0
    assert 0.0 <= fit.hr_0_bpm <= 400.0
    hr_end, hr_0, tau = _scipy_fit(t, y)
    assert _sse(t, y, fit.hr_end_bpm, fit.hr_0_bpm, fit.tau_s) <= _sse(t, y, hr_end, hr_0, tau) * (
        1.0 + 1e-9
    )
