"""The NumPy kernels of the HRV core against SciPy (a test-only dependency): the rank filters of
the artifact detector must match `scipy.ndimage.percentile_filter` bit for bit, the tridiagonal
solve and the spline must match LAPACK's banded solver and `CubicSpline` to 1e-9."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from scipy import interpolate, linalg, ndimage

from app.hrv import artifacts
from app.hrv.artifacts import _rank_filtered, _Segments, correct_artifacts
from app.hrv.resample import beat_times_s, resample_segments, solve_tridiagonal

from .helpers import ALL_SHORT, LONG_24H, load

FloatArray = npt.NDArray[np.float64]


def _scipy_rank_filtered(
    values: FloatArray, segments: _Segments, percentiles: tuple[float, ...], size: int
) -> list[FloatArray]:
    """The SciPy version the detector used before (mirrored padding per segment, one pass)."""
    padded, centre = segments.padded(values, size // 2)
    return [
        ndimage.percentile_filter(padded, q, size=size, mode="nearest")[centre] for q in percentiles
    ]


def _segments(lengths: list[int]) -> _Segments:
    sizes = np.array(lengths, dtype=np.intp)
    return _Segments((np.cumsum(sizes) - sizes).astype(np.intp), sizes)


@pytest.mark.parametrize("size", [3, 11, 31, 33, 91, 301])  # partitioned up to 32, then wavelet
@pytest.mark.parametrize("percentiles", [(25.0, 75.0), (50.0,), (0.0, 10.0, 99.9, 100.0)])
def test_rank_filters_match_scipy_exactly(size: int, percentiles: tuple[float, ...]) -> None:
    rng = np.random.default_rng(size)
    # Short segments (shorter than half a window), long ones, and quantised values (many ties).
    lengths = [2, 5, 7, 44, 45, 46, 90, 91, 92, 300, 1000, 3]
    segments = _segments(lengths)
    for values in (
        rng.normal(800.0, 60.0, sum(lengths)),
        np.round(rng.normal(800.0, 30.0, sum(lengths)) / 7.8125) * 7.8125,
    ):
        ours = _rank_filtered(values, segments, percentiles, size)
        theirs = _scipy_rank_filtered(values, segments, percentiles, size)
        assert len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(mine, reference)


@pytest.mark.parametrize("name", [*ALL_SHORT, LONG_24H])
def test_artifact_correction_is_identical_to_the_scipy_version(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rr = load(name)
    starts = np.array([0, rr.size // 3, rr.size // 3 + 4, rr.size // 2])  # gaps, one tiny segment
    ours = correct_artifacts(rr, segment_starts=starts)
    monkeypatch.setattr(artifacts, "_rank_filtered", _scipy_rank_filtered)
    theirs = correct_artifacts(rr, segment_starts=starts)
    np.testing.assert_array_equal(ours.rr_ms, theirs.rr_ms)
    np.testing.assert_array_equal(ours.kind_codes, theirs.kind_codes)
    np.testing.assert_array_equal(ours.segment_starts, theirs.segment_starts)
    np.testing.assert_array_equal(ours.source_index, theirs.source_index)


def _banded(lower: FloatArray, diagonal: FloatArray, upper: FloatArray) -> FloatArray:
    bands = np.zeros((3, diagonal.size))
    bands[0, 1:] = upper
    bands[1] = diagonal
    bands[2, :-1] = lower
    return bands


@pytest.mark.parametrize("n", [*range(1, 34), 1000, 1023, 1024, 1025, 100_001])
def test_tridiagonal_solve_matches_lapack(n: int) -> None:
    rng = np.random.default_rng(n)
    h = rng.uniform(0.3, 2.0, n + 1)  # spline rows: (h[i-1], 2 (h[i-1] + h[i]), h[i])
    lower = h[1:-1].copy()
    lower[rng.random(n - 1) < 0.05] = 0.0  # decoupled blocks, as between segments
    upper = lower.copy()
    diagonal = 2.0 * (h[:-1] + h[1:])
    rhs = rng.normal(0.0, 50.0, n)
    ours = solve_tridiagonal(lower, diagonal, upper, rhs)
    theirs = linalg.solve_banded((1, 1), _banded(lower, diagonal, upper), rhs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12 * np.abs(theirs).max())
    # The residual is at rounding level.
    residual = diagonal * ours - rhs
    residual[1:] += lower * ours[:-1]
    residual[:-1] += upper * ours[1:]
    assert np.abs(residual).max() <= 1e-12 * np.abs(rhs).max()


def test_tridiagonal_solve_handles_general_dominant_systems() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    lower, upper = rng.normal(size=n - 1), rng.normal(size=n - 1)
    diagonal = (np.abs(np.append(lower, 0.0)) + np.abs(np.append(0.0, upper)) + 0.1) * np.sign(
        rng.normal(size=n)
    )
    rhs = rng.normal(size=n)
    ours = solve_tridiagonal(lower, diagonal, upper, rhs)
    theirs = linalg.solve_banded((1, 1), _banded(lower, diagonal, upper), rhs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", [*ALL_SHORT, LONG_24H])
def test_resampling_matches_scipy_cubic_spline(name: str) -> None:
    rr = load(name)
    starts = np.array([0, 2, 3, rr.size // 4, rr.size // 4 + 3, rr.size // 2])
    ends = [*starts[1:], rr.size]
    ours = resample_segments(rr, starts)
    expected = []
    for a, b in zip(starts, ends, strict=True):
        if b - a < 2:
            continue
        segment = rr[a:b]
        times = beat_times_s(segment)
        grid = times[0] + np.arange(int(np.floor((times[-1] - times[0]) * 4.0)) + 1) / 4.0
        if segment.size == 2:
            expected.append(np.interp(grid, times, segment))
        else:
            spline = interpolate.CubicSpline(times, segment, bc_type="natural")
            expected.append(spline(grid))
    assert len(ours) == len(expected)
    for mine, reference in zip(ours, expected, strict=True):
        assert mine.size == reference.size
        np.testing.assert_allclose(mine, reference, rtol=1e-9)
