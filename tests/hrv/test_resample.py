"""Resampling: the spline through the beats, per segment, on a 4 Hz grid."""

from __future__ import annotations

import numpy as np
import pytest

from app.hrv.resample import (
    beat_times_s,
    natural_cubic_spline,
    resample_segment,
    resample_segments,
)

from .helpers import load


def test_the_spline_passes_through_the_beats_and_keeps_straight_lines_straight() -> None:
    rr = load("rest_5min_pyhrv_short.txt")
    times = beat_times_s(rr)
    np.testing.assert_allclose(natural_cubic_spline(times, rr, times), rr, rtol=1e-12)
    line = 800.0 + 2.0 * times
    grid = np.linspace(times[0], times[-1], 997)
    np.testing.assert_allclose(natural_cubic_spline(times, line, grid), 800.0 + 2.0 * grid)


def test_grid_is_4_hz_from_first_to_last_beat() -> None:
    rr = np.full(61, 1000.0)
    resampled = resample_segment(rr)
    assert resampled.size == 60 * 4 + 1
    np.testing.assert_allclose(resampled, 1000.0)


def test_segments_are_resampled_as_if_alone() -> None:
    rr = load("rest_16min_hrv_rest_rri.txt")
    starts = np.array([0, 100, 102, 103, 500, 900])
    ends = [*starts[1:], rr.size]
    together = resample_segments(rr, starts)
    alone = []
    for a, b in zip(starts, ends, strict=True):
        if b - a < 2:
            continue
        times = beat_times_s(rr[a:b])
        grid = times[0] + np.arange(int((times[-1] - times[0]) * 4) + 1) / 4
        alone.append(natural_cubic_spline(times, rr[a:b], grid))  # the single-segment spline
    assert len(together) == len(alone) == 5
    for joint, single in zip(together, alone, strict=True):
        assert joint.shape == single.shape
        np.testing.assert_allclose(joint, single, rtol=1e-9)


@pytest.mark.parametrize("count", [2, 3])
def test_tiny_segments(count: int) -> None:
    rr = np.linspace(800, 900, count)
    (resampled,) = resample_segments(rr, None)
    assert resampled[0] == pytest.approx(rr[0])
    assert np.all((resampled >= 800 - 1e-9) & (resampled <= 900 + 1e-9))
