"""The morning readiness check: one resting value per morning, and the optional orthostatic test.

Method:
- The resting part is every beat before the stand-up time (all beats without an orthostatic test).
  It is analysed by the HRV core with artifact correction (`app.hrv.report.analyze(rr_ms,
  gap_before=..., correction="auto")`); the analyzer is injected, so this module can be used and
  tested without the core. A value is refused (`ReadinessRefusedError`, with a message for the user)
  when more than 5% of the beats are artifacts, when the resting part is shorter than 50 s (the
  check offers 1, 3 and 5 minutes), or when the core cannot compute RMSSD.
- Orthostatic test: the user stands up at `stand_up_s` (seconds from the start) for the last
  minute. A beat belongs to the part in which its RR interval ends. Heart rate per beat is
  60000 / RR, smoothed with a 5-beat running median so a single artifact cannot make a peak.
  The seated (or lying) reference is the mean HR (60000 / mean RR) of the last 60 s before
  standing; the standing minute is (stand_up_s, stand_up_s + 60 s].
  `hr_rise_peak_bpm` = highest smoothed HR while standing minus the reference (the usual
  orthostatic reading); `hr_rise_mean_bpm` = mean HR of the standing minute minus the reference.
  Both need at least 30 s of beats on each side; otherwise the test is reported as not measured
  (the resting value still stands).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.hrv.report import analyze

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MAX_ARTIFACT_PCT = 5.0
MIN_REST_S = 50.0
ORTHOSTATIC_WINDOW_S = 60.0
ORTHOSTATIC_MIN_S = 30.0
HR_SMOOTHING_BEATS = 5
#: Bumped when the readiness method changes, so cached results are recomputed.
READINESS_METHOD_VERSION = "readiness-1"


class HrvSummary(Protocol):
    """What the readiness check needs from the HRV core's report."""

    @property
    def rmssd_ms(self) -> float | None: ...

    @property
    def mean_hr_bpm(self) -> float | None: ...

    @property
    def artifact_pct(self) -> float | None: ...


#: (rr_ms, gap_before) -> summary after artifact correction. May raise ValueError to refuse.
Analyzer = Callable[[FloatArray, BoolArray], HrvSummary]


def hrv_core_analyzer() -> Analyzer:
    """The HRV core's analysis with automatic artifact correction."""

    def run(rr_ms: FloatArray, gap_before: BoolArray) -> HrvSummary:
        summary: HrvSummary = analyze(rr_ms, gap_before=gap_before, correction="auto")
        return summary

    return run


class ReadinessRefusedError(ValueError):
    """No readiness value for this recording; the message says why, in plain words."""


@dataclass(frozen=True, slots=True)
class OrthostaticResult:
    """Heart-rate rise on standing up (definitions in the module docstring)."""

    stand_up_s: float
    reference_hr_bpm: float
    standing_peak_hr_bpm: float
    standing_mean_hr_bpm: float
    hr_rise_peak_bpm: float
    hr_rise_mean_bpm: float


@dataclass(frozen=True, slots=True)
class ReadinessResult:
    """The morning value: RMSSD after artifact correction, its log, and mean heart rate."""

    rmssd_ms: float
    ln_rmssd: float
    mean_hr_bpm: float
    artifact_pct: float
    n_beats: int
    rest_duration_s: float
    orthostatic: OrthostaticResult | None = None
    orthostatic_note: str | None = None


def beat_times_ms(rr_ms: FloatArray) -> FloatArray:
    """Beat times from the start when the sensor gave none: the running sum of RR."""
    return np.cumsum(rr_ms)


def _running_median(x: FloatArray, width: int) -> FloatArray:
    if x.size < width:
        return x.copy()
    half = width // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return np.asarray(np.median(windows, axis=1), dtype=np.float64)


def _span_s(t_ms: FloatArray, rr_ms: FloatArray) -> float:
    """Seconds covered by these beats (their RR sum, which counts the first beat's interval)."""
    return float(rr_ms.sum()) / 1000.0 if t_ms.size else 0.0


def orthostatic_rise(
    t_ms: FloatArray, rr_ms: FloatArray, stand_up_s: float
) -> OrthostaticResult | str:
    """The HR rise on standing, or a plain reason why it could not be measured."""
    stand_ms = stand_up_s * 1000.0
    window_ms = ORTHOSTATIC_WINDOW_S * 1000.0
    hr_bpm = _running_median(60000.0 / rr_ms, HR_SMOOTHING_BEATS)
    before = (t_ms > stand_ms - window_ms) & (t_ms <= stand_ms)
    after = (t_ms > stand_ms) & (t_ms <= stand_ms + window_ms)
    if _span_s(t_ms[before], rr_ms[before]) < ORTHOSTATIC_MIN_S:
        return "the standing test needs at least 30 seconds of rest before standing up"
    if _span_s(t_ms[after], rr_ms[after]) < ORTHOSTATIC_MIN_S:
        return "the standing test needs at least 30 seconds of standing"
    reference = 60000.0 / float(rr_ms[before].mean())
    standing_mean = 60000.0 / float(rr_ms[after].mean())
    standing_peak = float(hr_bpm[after].max())
    return OrthostaticResult(
        stand_up_s=float(stand_up_s),
        reference_hr_bpm=reference,
        standing_peak_hr_bpm=standing_peak,
        standing_mean_hr_bpm=standing_mean,
        hr_rise_peak_bpm=standing_peak - reference,
        hr_rise_mean_bpm=standing_mean - reference,
    )


def analyze_readiness(
    rr_ms: Sequence[float] | FloatArray,
    gap_before: Sequence[bool] | BoolArray | None = None,
    *,
    t_ms: Sequence[float] | FloatArray | None = None,
    stand_up_s: float | None = None,
    analyzer: Analyzer | None = None,
    max_artifact_pct: float = MAX_ARTIFACT_PCT,
    min_rest_s: float = MIN_REST_S,
) -> ReadinessResult:
    """Analyse a readiness recording; raises `ReadinessRefusedError` when no value can be given.

    `t_ms` are the beat times from the start (the running RR sum when omitted); beats after
    `stand_up_s` are the standing part and are left out of the resting value.
    """
    rr = np.asarray(rr_ms, dtype=np.float64)
    gaps = (
        np.zeros(rr.size, dtype=np.bool_)
        if gap_before is None
        else np.asarray(gap_before, dtype=np.bool_)
    )
    times = beat_times_ms(rr) if t_ms is None else np.asarray(t_ms, dtype=np.float64)
    if not (rr.size == gaps.size == times.size):
        raise ValueError("rr_ms, gap_before and t_ms must have the same length")
    if rr.size == 0:
        raise ReadinessRefusedError("no heartbeats were recorded: check the strap and try again")
    if not np.all(np.isfinite(rr)) or np.any(rr <= 0):
        raise ReadinessRefusedError("the recording holds invalid beat intervals")
    rest = np.ones(rr.size, dtype=np.bool_) if stand_up_s is None else times <= stand_up_s * 1000
    rest_rr, rest_gaps = rr[rest], gaps[rest]
    rest_s = float(rest_rr.sum()) / 1000.0
    if rest_s < min_rest_s:
        raise ReadinessRefusedError(
            f"the resting part lasted {rest_s:.0f} s; at least {min_rest_s:.0f} s are needed"
        )
    run = analyzer or hrv_core_analyzer()
    try:
        summary = run(rest_rr, rest_gaps)
    except ValueError as exc:
        raise ReadinessRefusedError(f"this recording could not be analysed: {exc}") from exc
    artifact_pct = summary.artifact_pct
    if artifact_pct is not None and artifact_pct > max_artifact_pct:
        raise ReadinessRefusedError(
            f"{artifact_pct:.1f}% of the beats were unclear (more than {max_artifact_pct:g}%):"
            " moisten the strap, sit still and try again"
        )
    rmssd = summary.rmssd_ms
    mean_hr = summary.mean_hr_bpm
    if rmssd is None or mean_hr is None or not rmssd > 0 or not math.isfinite(rmssd):
        raise ReadinessRefusedError("the recording was too short or too irregular for a value")
    orthostatic: OrthostaticResult | None = None
    note: str | None = None
    if stand_up_s is not None:
        got = orthostatic_rise(times, rr, stand_up_s)
        if isinstance(got, str):
            note = got
        else:
            orthostatic = got
    return ReadinessResult(
        rmssd_ms=float(rmssd),
        ln_rmssd=math.log(rmssd),
        mean_hr_bpm=float(mean_hr),
        artifact_pct=float(artifact_pct or 0.0),
        n_beats=int(rest_rr.size),
        rest_duration_s=rest_s,
        orthostatic=orthostatic,
        orthostatic_note=note,
    )
