"""Plot data: corrected beats with one marker per corrected artifact, never raw spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.hrv.artifacts import correct_artifacts
from app.session.plot_data import MIN_CORRECTION_BEATS, corrected_beats
from tests.session.synthetic import rsa_beats

RR_DIR = Path("/work/shared/data/rr")
NOISY = Path(__file__).resolve().parents[1] / "data" / "rr"


def _series(duration_s: float = 120.0) -> tuple[np.ndarray, np.ndarray]:
    beats = rsa_beats(duration_s, mean_rr_ms=850.0, swing_ms=40.0, noise_ms=4.0, seed=3)
    t = np.array([b[0] for b in beats])
    rr = np.array([b[1] for b in beats])
    return t, rr


def _with_missed_beat(t: np.ndarray, rr: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """The strap missed beat i: beat i+1 arrives with both intervals as one."""
    t_out = np.delete(t, i)
    rr_out = np.delete(rr, i)
    rr_out[i] = rr[i] + rr[i + 1]
    return t_out, rr_out


def test_a_missed_beat_is_split_back_and_marked_once() -> None:
    t, rr = _series()
    i = 60
    t_miss, rr_miss = _with_missed_beat(t, rr, i)
    raw_hr = 60000.0 / rr_miss
    assert raw_hr.min() < (60000.0 / rr).min() - 25.0  # the raw plunge the plot must not show
    plot = corrected_beats(t_miss, rr_miss, np.zeros(rr_miss.size, dtype=bool))
    assert len(plot) == rr.size  # the missing beat is back
    assert plot.n_artifacts == 1
    assert plot.marked.tolist() == [i + 1]  # the second half, where the long interval ended
    hr = plot.hr_bpm
    true_hr = 60000.0 / rr
    # No plunge: the corrected heart rate stays within the real beats' range (halves of the
    # merged interval are its mean, inside that range).
    assert hr.min() >= true_hr.min() - 1.0
    assert hr.max() <= true_hr.max() + 1.0
    # Times: every beat keeps its recorded time, the restored one sits halfway.
    assert_allclose(np.delete(plot.t_s, i), t_miss, atol=1e-9)
    assert plot.t_s[i] == pytest.approx(t_miss[i] - rr_miss[i] / 2000.0)
    assert np.all(np.diff(plot.t_s) > 0)
    assert plot.marked_t_s.tolist() == [pytest.approx(t[i + 1])]
    assert plot.marked_hr_bpm[0] == pytest.approx(60000.0 / (rr_miss[i] / 2.0))


def test_an_extra_beat_is_merged_and_marked_once() -> None:
    t, rr = _series()
    i = 70
    first = rr[i] * 0.4
    # A false detection splits beat i into two short intervals.
    t_extra = np.insert(t, i, t[i] - (rr[i] - first) / 1000.0)
    rr_extra = np.insert(rr, i, first)
    rr_extra[i + 1] = rr[i] - first
    plot = corrected_beats(t_extra, rr_extra)
    assert len(plot) == rr.size
    assert_allclose(plot.rr_ms, rr, atol=1e-6)
    assert_allclose(plot.t_s, t, atol=1e-9)
    assert plot.marked.size == 1
    assert plot.marked_t_s[0] == pytest.approx(t[i])


def test_clean_beats_are_drawn_as_recorded() -> None:
    t, rr = _series()
    plot = corrected_beats(t, rr)
    assert plot.n_artifacts == 0 and plot.marked.size == 0
    assert_allclose(plot.rr_ms, rr)
    assert_allclose(plot.t_s, t)
    assert not plot.gap_before.any()


def test_nothing_is_corrected_across_a_gap_and_the_gap_stays() -> None:
    t, rr = _series(200.0)
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[100] = True  # the link dropped before beat 100
    t_miss, rr_miss = _with_missed_beat(t, rr, 140)
    gaps_miss = np.delete(gaps, 140)
    plot = corrected_beats(t_miss, rr_miss, gaps_miss)
    assert plot.gap_before.tolist().count(True) == 1
    assert plot.gap_before[100]
    assert plot.marked.tolist() == [141]


def test_too_few_beats_are_drawn_as_they_are() -> None:
    t, rr = _series()
    n = MIN_CORRECTION_BEATS - 1
    rr_short = rr[:n].copy()
    rr_short[4] *= 2.0
    plot = corrected_beats(t[:n], rr_short, np.zeros(n, dtype=bool))
    assert_allclose(plot.rr_ms, rr_short)
    assert plot.marked.size == 0


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one length"):
        corrected_beats([0.0, 1.0], [1000.0], [False, False])


def test_arrays_are_read_only() -> None:
    t, rr = _series()
    plot = corrected_beats(t, rr)
    for array in (plot.t_s, plot.rr_ms, plot.gap_before, plot.marked, plot.hr_bpm):
        assert not array.flags.writeable


def test_a_real_noisy_strap_recording_plots_without_spikes() -> None:
    """A real Polar recording with missed and long beats: the markers are the core's count, the
    corrected heart rate has no plunges, and the time axis stays on the recording's clock."""
    rr = np.loadtxt(RR_DIR / "artifacts_40min_polar_noisy_rri.txt")
    t = np.cumsum(rr) / 1000.0
    plot = corrected_beats(t, rr)
    core = correct_artifacts(rr)
    assert plot.n_artifacts == int(core.flagged.sum()) >= 5
    assert_allclose(plot.rr_ms, core.rr_ms)
    assert 0 < plot.marked.size <= plot.n_artifacts
    # Raw: heart rate plunges of more than 25 bpm between neighbours; corrected: none that big.
    raw_jumps = np.abs(np.diff(60000.0 / rr))
    jumps = np.abs(np.diff(plot.hr_bpm))
    assert raw_jumps.max() > 25.0
    assert np.count_nonzero(jumps > 25.0) < np.count_nonzero(raw_jumps > 25.0) / 5
    assert np.all(np.diff(plot.t_s) > 0)
    assert plot.t_s[-1] == pytest.approx(t[-1])
    assert abs(plot.t_s[0] - t[0]) < 2.0
