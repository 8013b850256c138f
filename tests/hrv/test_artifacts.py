"""Artifact detection and correction (Lipponen & Tarvainen 2019), proven by injection."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from app.hrv.artifacts import BeatKind, correct_artifacts
from app.hrv.report import analyze

from .helpers import CLEAN, LONG_24H, RESTING, load

Injected = tuple[npt.NDArray[np.float64], dict[int, str]]


def inject(rr: npt.NDArray[np.float64], fraction: float, seed: int) -> Injected:
    """Insert missed, extra and ectopic beats at about `fraction` of the beats.

    Returns the damaged series and, per damaged output index, the kind injected there.
    """
    rng = np.random.default_rng(seed)
    count = max(3, round(fraction * rr.size))
    positions = set(rng.choice(np.arange(20, rr.size - 20, 9), count, replace=False).tolist())
    kinds = iter(rng.permutation(np.resize(["missed", "extra", "ectopic"], count)).tolist())
    out: list[float] = []
    where: dict[int, str] = {}
    i = 0
    while i < rr.size:
        if i in positions:
            kind = next(kinds)
            where[len(out)] = kind
            if kind == "missed":  # the beat between two intervals was not detected
                out.append(rr[i] + rr[i + 1])
                i += 2
                continue
            if kind == "extra":  # a spurious beat splits one interval
                part = rng.uniform(0.3, 0.7)
                out.extend([rr[i] * part, rr[i] * (1 - part)])
            else:  # an early beat and its compensatory pause
                early = rr[i] * rng.uniform(0.6, 0.75)
                out.extend([early, rr[i + 1] + rr[i] - early])
                i += 1
            i += 1
            continue
        out.append(rr[i])
        i += 1
    return np.asarray(out), where


def rmssd(rr: npt.NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.diff(rr) ** 2)))


@pytest.mark.parametrize("name", RESTING)
@pytest.mark.parametrize("seed", [1, 2])
def test_injected_artifacts_are_corrected(name: str, seed: int) -> None:
    clean = correct_artifacts(load(name)).rr_ms  # the recording with its own artifacts removed
    damaged, where = inject(np.array(clean), 0.01, seed)
    clean_rmssd = rmssd(clean)
    assert abs(rmssd(damaged) / clean_rmssd - 1) > 0.25  # uncorrected: far off
    corrected = analyze(damaged)
    assert corrected.rmssd_ms == pytest.approx(clean_rmssd, rel=0.10)
    result = correct_artifacts(damaged)
    found = sum(bool(result.flagged[j] or result.flagged[j + 1]) for j in where)
    assert found >= 0.9 * len(where)


def test_each_kind_is_recognised_and_repaired() -> None:
    rr = np.array(correct_artifacts(load("paced0.25Hz_10min_meditation_M10.txt")).rr_ms)
    missed = rr.copy()
    missed[100] = rr[100] + rr[101]
    missed = np.delete(missed, 101)
    result = correct_artifacts(missed)
    assert result.kinds[100] == BeatKind.MISSED
    assert result.rr_ms.size == rr.size
    np.testing.assert_allclose(result.rr_ms[100:102], missed[100] / 2)

    extra = np.insert(rr, 201, rr[200] * 0.4)
    extra[200] = rr[200] * 0.6
    result = correct_artifacts(extra)
    assert BeatKind.EXTRA in (result.kinds[200], result.kinds[201])
    assert result.rr_ms.size == rr.size
    assert result.rr_ms[200] == pytest.approx(rr[200])

    ectopic = rr.copy()
    ectopic[300] = rr[300] * 0.65
    ectopic[301] = rr[301] + rr[300] * 0.35
    result = correct_artifacts(ectopic)
    assert result.flagged[300] and result.flagged[301]
    assert set(result.kinds[300:302]) <= {BeatKind.ECTOPIC, BeatKind.SHORT, BeatKind.LONG}
    assert result.rr_ms.size == rr.size
    assert abs(result.rr_ms[300] - rr[300]) < abs(ectopic[300] - rr[300]) / 3


@pytest.mark.parametrize("name", CLEAN)
def test_clean_recordings_are_barely_flagged(name: str) -> None:
    assert correct_artifacts(load(name)).artifact_pct < 1.0


def test_result_is_read_only_and_maps_to_the_original() -> None:
    rr = load("artifacts_40min_polar_noisy_rri.txt")
    result = correct_artifacts(rr)
    assert result.flagged.shape == rr.shape
    assert len(result.kinds) == rr.size
    assert result.artifact_pct == pytest.approx(100 * result.flagged.mean())
    assert result.source_index.shape == result.rr_ms.shape
    assert np.all(np.diff(result.source_index) >= 0)
    for array in (result.rr_ms, result.flagged, result.source_index):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    counts = result.kind_counts()
    assert sum(counts.values()) == int(result.flagged.sum())
    assert counts[BeatKind.MISSED] > 0


def test_detection_windows_stop_at_gaps() -> None:
    first, _ = inject(load("paced0.25Hz_10min_meditation_M10.txt"), 0.01, seed=5)
    second, _ = inject(load("slowbreath_11min_meditation_Y2med.txt"), 0.01, seed=6)
    joined = np.concatenate([first, second])
    together = correct_artifacts(joined, segment_starts=[first.size])
    alone = [correct_artifacts(first), correct_artifacts(second)]
    np.testing.assert_array_equal(together.flagged, np.concatenate([a.flagged for a in alone]))
    np.testing.assert_array_equal(together.rr_ms, np.concatenate([a.rr_ms for a in alone]))
    np.testing.assert_array_equal(together.segment_starts, [0, alone[0].rr_ms.size])
    assert together.flagged.any()


# Clean recordings at rest and during slow or paced breathing: their large, steep breathing waves
# (high respiratory sinus arrhythmia) are real intervals and must come through untouched.
CLEAN_AT_REST = (
    "rest_5min_pyhrv_short.txt",
    "rest_16min_hrv_rest_rri.txt",
    "rest_60min_pyhrv_long.txt",
    "slowbreath_11min_meditation_Y2med.txt",
    "paced0.25Hz_10min_meditation_M10.txt",
)


@pytest.mark.parametrize("name", CLEAN_AT_REST)
def test_breathing_swings_are_not_corrected(name: str) -> None:
    rr = load(name)
    corrected = analyze(rr)
    raw = analyze(rr, correction="none")
    assert corrected.artifact_pct is not None
    assert corrected.artifact_pct <= 1.0
    assert corrected.rmssd_ms is not None
    assert raw.rmssd_ms is not None
    assert corrected.rmssd_ms == pytest.approx(raw.rmssd_ms, rel=0.01)


def test_two_long_beats_in_a_row_are_a_breath_not_a_missed_beat() -> None:
    rr = load("rest_60min_pyhrv_long.txt")
    np.testing.assert_allclose(rr[102:107], [820, 1016, 992, 789, 727], atol=1.0)
    result = correct_artifacts(rr)
    assert not result.flagged[100:110].any()


def test_a_steep_slow_breathing_wave_is_left_alone() -> None:
    rr = load("slowbreath_11min_meditation_Y2med.txt")
    wave = slice(196, 210)  # 531 ms up to 828 ms and back within a dozen beats
    assert rr[wave].max() - rr[wave].min() > 250
    assert not correct_artifacts(rr).flagged[wave].any()


def test_the_missed_beats_of_a_noisy_strap_are_all_found() -> None:
    rr = load("artifacts_40min_polar_noisy_rri.txt")
    result = correct_artifacts(rr)
    local_median = np.median(np.lib.stride_tricks.sliding_window_view(np.pad(rr, 5, "edge"), 11), 1)
    gross = np.flatnonzero(rr > 1.6 * local_median)  # about two beats: one went undetected
    assert gross.size == 6
    assert all(result.kinds[i] == BeatKind.MISSED for i in gross)
    assert result.rr_ms.size == rr.size + gross.size


@pytest.mark.parametrize("name", CLEAN_AT_REST)
@pytest.mark.parametrize("seed", [3, 4])
def test_injected_artifacts_are_found_among_breathing_swings(name: str, seed: int) -> None:
    """The same recordings with 1 % missed, extra and ectopic beats: each is found and the
    corrected RMSSD lands within 5 % of the clean one."""
    clean = load(name)
    damaged, where = inject(clean, 0.01, seed)
    result = correct_artifacts(damaged)
    found = sum(bool(result.flagged[j] or result.flagged[j + 1]) for j in where)
    assert found == len(where)
    corrected = analyze(damaged).rmssd_ms
    assert corrected == pytest.approx(rmssd(clean), rel=0.05)


@pytest.mark.parametrize("share", [0.5, 0.67, 0.33])
@pytest.mark.parametrize("where", [60, 150, 263])
def test_a_split_beat_is_merged_in_a_very_variable_recording(share: float, where: int) -> None:
    """RMSSD 101 ms: a split interval's differences can stay under Th1; the halves still add up."""
    rr = load("rest_5min_pyhrv_short.txt")
    split = np.insert(rr, where + 1, rr[where] * (1 - share))
    split[where] = rr[where] * share
    result = correct_artifacts(split)
    assert BeatKind.EXTRA in (result.kinds[where], result.kinds[where + 1])
    assert result.rr_ms.size == rr.size
    np.testing.assert_allclose(result.rr_ms, rr)


def test_the_early_beats_of_a_holter_record_are_replaced_in_pairs() -> None:
    """nsr2db nsr001: every premature beat (under 0.8 x the local median) followed by its
    compensatory pause (the pair lasting two beats) is flagged, premature beat and pause alike."""
    rr = load(LONG_24H)
    local_median = np.median(np.lib.stride_tricks.sliding_window_view(np.pad(rr, 5, "edge"), 11), 1)
    premature = rr[:-1] < 0.8 * local_median[:-1]
    pause = rr[1:] > 1.1 * local_median[:-1]
    two_beats = np.abs(rr[:-1] + rr[1:] - 2 * local_median[:-1]) < 0.1 * local_median[:-1]
    early = np.flatnonzero(premature & pause & two_beats)
    assert early.size >= 20
    result = correct_artifacts(rr)
    assert result.flagged[early].all()
    assert result.flagged[early + 1].all()
