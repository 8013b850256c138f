"""Resonance-rate assessment, Qt-free: the protocol, the analysis of one step, the recommendation.

Protocol (Lehrer, Vaschillo & Vaschillo 2000; Shaffer & Meehan 2020): the pacer runs
`STEP_S` (2 min) at each of 6.5, 6.0, 5.5, 5.0 and 4.5 breaths/min with a short rest between
steps. Each step is analysed from its own beats only, leaving out the first `SETTLE_S` (20 s)
while breathing settles into the new rate.

Measures of one step (`analyze_step`):

* swing_bpm: mean heart-rate swing per breath, peak-to-trough of the beat-to-beat heart rate
  (60000 / RR) within each complete breath; breaths start where the pacer's inhale starts.
* lf_peak_hz, lf_peak_power_ms2: the largest peak of the Welch PSD of RR in the LF band
  (0.04-0.15 Hz) and the power within +/- `PEAK_HALF_WIDTH_HZ` of it (ms²).
* lf_power_ms2: the LF band power (ms²).
* phase_deg: the phase between the heart-rate wave and the breathing wave (the pacer's lung fill,
  0 empty .. 1 full) at the breathing frequency, from least-squares sinusoids (plus mean and
  slope) fitted to both at that frequency. Sign convention: positive means the heart rate leads,
  i.e. it peaks *before* the lungs are full; negative means it lags behind; 0 means the heart
  rate rises and falls with the breath (the resonance signature). Range (-180, 180].
* lf_peak_count: local maxima of the PSD inside the LF band reaching at least
  `PEAK_COUNT_SHARE` of the largest one; 1 is a smooth, single wave.
* coherence: the step's coherence (0-10), the one definition of `app.hrv.coherence`: the mean
  of the 5 s scores (on the session's 5 s grid, as the live screen and the summary take them)
  whose whole 64 s window lies in the analysed part of the step. Shown beside the measures; it is
  not one of the ranking criteria.
* artifact_pct: beats flagged by the Lipponen & Tarvainen detector (`app.hrv.artifacts`);
  above `MAX_ARTIFACT_PCT` the step is marked for repeating and left out of the recommendation.
* breathing_rate_per_min, following: the breathing rate read from the step's heart-rate wave and
  the median pacer following of its 64 s windows (`app.hrv.following`, on the same corrected
  beats). A step is **valid** (`matched_pacer`) when the heart followed the pacer (following at
  least `FOLLOWING_THRESHOLD`) and the breathing rate lies within `RATE_TOLERANCE_PER_MIN`
  (0.4 breaths/min) of the paced rate: less than the 0.5 breaths/min between two steps, so a step
  breathed at its neighbour's rate is caught, and more than the 0.32 breaths/min by which the
  estimate missed the metronome of the shared paced recording (M10). A step that is not valid
  measured some other breathing than the one it stands for: it is left out of the recommendation
  and offered for repeating. Following alone cannot tell neighbouring steps apart (its band,
  +/-1.2 breaths/min, spans them); the breathing rate can.

Each heart-rate value is placed at the middle of its interval (beat end minus RR / 2), where
the interval's instantaneous rate belongs; beat ends would delay the wave by half a beat.

Recommendation (`recommend`): every usable (valid, clean, fully measured) step is ranked on five
criteria (Shaffer & Meehan 2020) (1 = best, ties share
the mean rank): largest swing, largest LF peak power, largest LF power, phase nearest 0 deg
(smallest absolute value), fewest LF peaks. The lowest rank sum wins; a tie is broken by the
larger swing (and, failing that, by the slower rate). The reason lists the criteria on which the
winner ranks first. A repeated step replaces the earlier run at the same rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from app.breathing.pacer import breathing_wave, cue_times
from app.breathing.pattern import BreathingPattern
from app.hrv.artifacts import correct_artifacts
from app.hrv.coherence import coherence_track, mean_score
from app.hrv.following import FOLLOWING_THRESHOLD, breathing_rate_per_min, median_following
from app.hrv.frequency import LF_BAND_HZ, welch_spectrum

FloatArray = npt.NDArray[np.float64]

PROTOCOL_RATES_BPM: tuple[float, ...] = (6.5, 6.0, 5.5, 5.0, 4.5)
STEP_S = 120.0
REST_S = 30.0
SETTLE_S = 20.0
MAX_ARTIFACT_PCT = 5.0
PEAK_HALF_WIDTH_HZ = 0.015
PEAK_COUNT_SHARE = 0.25
MIN_ANALYSED_S = 60.0
MIN_BEATS_PER_BREATH = 3
RETEST_DAYS = 28
RATE_TOLERANCE_PER_MIN = 0.4
NOT_FOLLOWED_TEXT = "Not valid - breathing did not match the pacer"

CRITERIA: tuple[tuple[str, str], ...] = (
    ("swing_bpm", "the largest heart-rate swing per breath"),
    ("lf_peak_power_ms2", "the biggest main slow wave"),
    ("lf_power_ms2", "the most slow-wave power"),
    ("phase_deg", "the heart rate most in step with the breath"),
    ("lf_peak_count", "the smoothest wave (fewest separate slow waves)"),
)


@dataclass(frozen=True, slots=True)
class StepResult:
    """The measures of one assessment step; a measure is None when it could not be computed.

    Attributes:
        rate_bpm: the pacer rate of the step.
        n_beats: beats analysed (after the settling time).
        analysed_s: seconds of the step analysed.
        swing_bpm: mean peak-to-trough heart-rate swing per breath.
        lf_peak_hz: frequency of the largest LF peak.
        lf_peak_power_ms2: power within +/- PEAK_HALF_WIDTH_HZ of that peak.
        lf_power_ms2: LF band power.
        phase_deg: heart rate vs breath at the breathing frequency (+ = heart rate leads).
        lf_peak_count: number of LF peaks (1 = smooth).
        coherence: mean 5 s coherence score (0-10) over the analysed part.
        artifact_pct: flagged beats in percent.
        reason: why the step is not usable, or None.
        breathing_rate_per_min: the breathing rate read from the heart-rate wave.
        following: median pacer following (0-1) of the step's 64 s windows.
        matched_pacer: the breathing matched the pacer (see `breathing_matched`); None when it
            could not be checked (too little data, or a result stored before the check).
    """

    rate_bpm: float
    n_beats: int
    analysed_s: float
    swing_bpm: float | None = None
    lf_peak_hz: float | None = None
    lf_peak_power_ms2: float | None = None
    lf_power_ms2: float | None = None
    phase_deg: float | None = None
    lf_peak_count: int | None = None
    coherence: float | None = None
    artifact_pct: float = 0.0
    reason: str | None = None
    breathing_rate_per_min: float | None = None
    following: float | None = None
    matched_pacer: bool | None = None

    @property
    def too_many_artifacts(self) -> bool:
        return self.artifact_pct > MAX_ARTIFACT_PCT

    @property
    def not_followed(self) -> bool:
        """The breathing was checked and did not match the pacer."""
        return self.matched_pacer is False

    @property
    def usable(self) -> bool:
        """True when every measure is there and the artifacts are few enough."""
        measures = (
            self.swing_bpm,
            self.lf_peak_hz,
            self.lf_peak_power_ms2,
            self.lf_power_ms2,
            self.phase_deg,
            self.lf_peak_count,
        )
        return (
            self.reason is None
            and not self.too_many_artifacts
            and not self.not_followed
            and None not in measures
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepResult:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The recommended rate and why.

    Attributes:
        rate_bpm: the winning rate.
        won: labels of the criteria on which it ranks first.
        rank_sums: rate -> rank sum (lower is better), usable steps only.
        excluded: rates left out (not followed, too many artifacts or too little data).
        not_followed: of those, the rates whose breathing did not match the pacer.
        order: the usable rates, best first (the first is `rate_bpm`).
    """

    rate_bpm: float
    won: tuple[str, ...]
    rank_sums: Mapping[float, float] = field(default_factory=dict)
    excluded: tuple[float, ...] = ()
    not_followed: tuple[float, ...] = ()
    order: tuple[float, ...] = ()

    @property
    def reason(self) -> str:
        if not self.won:
            return "It has the best total over all five measures."
        return "It has the best total over all five measures, with " + _join(self.won) + "."


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- analysis of one step --------------------------------------------------------------------
def analyze_step(
    t_ms: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike | None,
    *,
    pattern: BreathingPattern,
    step_start_s: float,
    step_end_s: float,
    settle_s: float = SETTLE_S,
) -> StepResult:
    """Measures of one step from the session's beats.

    Args:
        t_ms: beat times (end of each interval) in ms from the session start.
        rr_ms: RR intervals (ms).
        gap_before: per beat, True when the link dropped before it (None: no gaps).
        pattern: the pacer pattern of the step; its time 0 is `step_start_s`.
        step_start_s, step_end_s: the step's span in session seconds.
        settle_s: seconds left out at the start of the step.
    """
    t_all = np.asarray(t_ms, dtype=np.float64) / 1000.0
    rr_all = np.asarray(rr_ms, dtype=np.float64)
    gaps_all = (
        np.zeros(t_all.size, dtype=bool)
        if gap_before is None
        else np.asarray(gap_before, dtype=bool)
    )
    from_s = step_start_s + settle_s
    keep = (t_all - rr_all / 1000.0 >= from_s) & (t_all <= step_end_s)
    t = t_all[keep]
    rr = rr_all[keep]
    gaps = gaps_all[keep].copy()
    rate = float(pattern.rate_bpm)
    analysed_s = max(0.0, float(t[-1] - t[0] + rr[0] / 1000.0)) if t.size else 0.0
    if t.size < 20 or analysed_s < MIN_ANALYSED_S:
        return StepResult(
            rate,
            int(t.size),
            analysed_s,
            reason=f"too little data ({analysed_s:.0f} s of beats, {MIN_ANALYSED_S:g} s needed)",
        )
    gaps[0] = False
    starts = np.concatenate(([0], np.flatnonzero(gaps)))
    corrected = correct_artifacts(rr, segment_starts=starts)
    rr_c = np.asarray(corrected.rr_ms)
    starts_c = np.asarray(corrected.segment_starts)
    t_c = _corrected_times(t, corrected.source_index, rr_c, starts_c)
    mid_s = t_c - rr_c / 2000.0
    hr_bpm = 60_000.0 / rr_c

    swing = _mean_swing_bpm(pattern, step_start_s, mid_s, hr_bpm, starts_c, from_s, step_end_s)
    peak_hz = peak_power = lf_power = None
    peak_count = None
    spectrum = welch_spectrum(rr_c, starts_c)
    if spectrum is not None and spectrum.longest_segment_s >= MIN_ANALYSED_S:
        peak_hz = spectrum.peak_hz(LF_BAND_HZ)
        peak_power = spectrum.band_power_ms2(
            (peak_hz - PEAK_HALF_WIDTH_HZ, peak_hz + PEAK_HALF_WIDTH_HZ)
        )
        lf_power = spectrum.band_power_ms2(LF_BAND_HZ)
        peak_count = count_peaks(spectrum.freqs_hz, spectrum.psd_ms2_per_hz, LF_BAND_HZ)
    phase = phase_deg(pattern, step_start_s, mid_s, hr_bpm)
    coherence = mean_score(coherence_track(t_all, rr_all, gaps_all, from_s=from_s, to_s=step_end_s))
    breathing = breathing_rate_per_min(rr, segment_starts=starts, correct=corrected)
    following = median_following(rr, rate, segment_starts=starts, correct=corrected)
    matched = breathing_matched(rate, breathing, following)
    reason = None
    if swing is None or peak_hz is None or phase is None:
        reason = "too few complete, gap-free breaths to measure"
    elif matched is None:
        reason = "too little gap-free data to check the breathing against the pacer"
    return StepResult(
        rate_bpm=rate,
        n_beats=int(t.size),
        analysed_s=analysed_s,
        swing_bpm=swing,
        lf_peak_hz=peak_hz,
        lf_peak_power_ms2=peak_power,
        lf_power_ms2=lf_power,
        phase_deg=phase,
        lf_peak_count=peak_count,
        coherence=coherence,
        artifact_pct=float(corrected.artifact_pct),
        reason=reason,
        breathing_rate_per_min=breathing,
        following=following,
        matched_pacer=matched,
    )


def breathing_matched(
    rate_bpm: float, breathing_rate_per_min: float | None, following: float | None
) -> bool | None:
    """Whether a step was breathed at its pacer: the heart followed the pacer (following at least
    `FOLLOWING_THRESHOLD`) and the breathing rate is within `RATE_TOLERANCE_PER_MIN` of the
    paced rate. None when either figure is missing (less than 64 s of gap-free beats)."""
    if breathing_rate_per_min is None or following is None:
        return None
    return (
        following >= FOLLOWING_THRESHOLD
        and abs(breathing_rate_per_min - rate_bpm) <= RATE_TOLERANCE_PER_MIN + 1e-9
    )


def _corrected_times(
    t_s: FloatArray, source: npt.NDArray[np.intp], rr_c: FloatArray, starts_c: npt.NDArray[np.intp]
) -> FloatArray:
    """End times of the corrected beats: each segment anchored at its last beat, stepping back."""
    out = np.empty(rr_c.size)
    ends = np.append(starts_c[1:], rr_c.size)
    for start, end in zip(starts_c.tolist(), ends.tolist(), strict=True):
        anchor = t_s[source[end - 1]]
        later = np.cumsum(rr_c[start:end][::-1])[::-1] - rr_c[start:end]
        out[start:end] = anchor - later / 1000.0
    return out


def breath_starts_s(
    pattern: BreathingPattern, step_start_s: float, from_s: float, to_s: float
) -> FloatArray:
    """Session times of the pacer's inhale starts within [from_s, to_s]."""
    t0 = max(0.0, from_s - step_start_s)
    t1 = max(t0, to_s - step_start_s)
    cues = cue_times(pattern, t0, t1 + 1e-9)
    return np.array([c.t_s + step_start_s for c in cues if c.phase == "inhale"], dtype=np.float64)


def _mean_swing_bpm(
    pattern: BreathingPattern,
    step_start_s: float,
    mid_s: FloatArray,
    hr_bpm: FloatArray,
    starts_c: npt.NDArray[np.intp],
    from_s: float,
    to_s: float,
) -> float | None:
    boundaries = breath_starts_s(pattern, step_start_s, from_s, to_s)
    segment_of = np.searchsorted(starts_c, np.arange(mid_s.size), side="right") - 1
    swings: list[float] = []
    for left, right in zip(boundaries[:-1].tolist(), boundaries[1:].tolist(), strict=True):
        inside = np.flatnonzero((mid_s >= left) & (mid_s < right))
        if inside.size < MIN_BEATS_PER_BREATH or segment_of[inside[0]] != segment_of[inside[-1]]:
            continue
        values = hr_bpm[inside]
        swings.append(float(values.max() - values.min()))
    return float(np.mean(swings)) if swings else None


def _fit_phasor(t_s: FloatArray, values: FloatArray, omega: float) -> complex:
    """Least-squares a*cos(wt) + b*sin(wt) (plus mean and slope): returns a - ib."""
    centre = t_s - t_s.mean()
    design = np.column_stack(
        (np.ones_like(centre), centre, np.cos(omega * t_s), np.sin(omega * t_s))
    )
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    return complex(coef[2], -coef[3])


def phase_deg(
    pattern: BreathingPattern, step_start_s: float, t_s: npt.ArrayLike, hr_bpm: npt.ArrayLike
) -> float | None:
    """Heart rate vs breathing wave at the breathing frequency, degrees (+ = heart rate leads)."""
    t = np.asarray(t_s, dtype=np.float64)
    hr = np.asarray(hr_bpm, dtype=np.float64)
    pacer_t = t - step_start_s
    omega = 2.0 * math.pi * float(pattern.rate_bpm) / 60.0
    if t.size < 8 or pacer_t.min() < 0.0 or float(t[-1] - t[0]) * omega < 2.0 * math.pi:
        return None
    breath = np.asarray(breathing_wave(pattern, pacer_t), dtype=np.float64)
    # a*cos(wt) + b*sin(wt) = R*cos(wt - theta) with theta = atan2(b, a): it peaks at wt = theta,
    # so the phasor a - ib has angle -theta; a later peak is a more negative angle.
    heart = _fit_phasor(pacer_t, hr, omega)
    lung = _fit_phasor(pacer_t, breath, omega)
    if abs(heart) == 0.0 or abs(lung) == 0.0:
        return None
    lead = math.degrees(math.atan2((heart / lung).imag, (heart / lung).real))
    return 180.0 if lead <= -180.0 else lead


def count_peaks(freqs_hz: FloatArray, psd: FloatArray, band_hz: tuple[float, float]) -> int:
    """Local maxima of `psd` strictly inside the band reaching PEAK_COUNT_SHARE of the largest."""
    low, high = band_hz
    index = np.flatnonzero((freqs_hz >= low) & (freqs_hz < high))
    values = psd[index]
    if values.size < 3:
        return 0
    interior = (values[1:-1] > values[:-2]) & (values[1:-1] >= values[2:])
    peaks = values[1:-1][interior]
    if peaks.size == 0:
        return 0
    return int(np.count_nonzero(peaks >= PEAK_COUNT_SHARE * peaks.max()))


# -- recommendation ----------------------------------------------------------------------------
def _ranks(values: Sequence[float], *, higher_is_better: bool) -> list[float]:
    """1 = best; equal values share the mean of their ranks."""
    keyed = [-v if higher_is_better else v for v in values]
    order = sorted(range(len(keyed)), key=lambda i: keyed[i])
    ranks = [0.0] * len(keyed)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and keyed[order[j + 1]] == keyed[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def _criterion_values(steps: Sequence[StepResult], name: str) -> list[float]:
    values: list[float] = []
    for step in steps:
        value = getattr(step, name)
        assert value is not None
        values.append(abs(float(value)) if name == "phase_deg" else float(value))
    return values


def recommend(steps: Sequence[StepResult]) -> Recommendation | None:
    """The best rate among the usable steps (see the module docstring), or None if none is."""
    latest: dict[float, StepResult] = {}
    for step in steps:  # a repeated step replaces the earlier run of the same rate
        latest[step.rate_bpm] = step
    usable = [s for s in latest.values() if s.usable]
    excluded = tuple(r for r, s in latest.items() if not s.usable)
    not_followed = tuple(r for r, s in latest.items() if s.not_followed)
    if not usable:
        return None
    sums = [0.0] * len(usable)
    firsts: list[list[str]] = [[] for _ in usable]
    for name, label in CRITERIA:
        higher = name in ("swing_bpm", "lf_peak_power_ms2", "lf_power_ms2")
        ranks = _ranks(_criterion_values(usable, name), higher_is_better=higher)
        for i, rank in enumerate(ranks):
            sums[i] += rank
            if rank == min(ranks) and max(ranks) > rank:  # a criterion all share wins nothing
                firsts[i].append(label)
    ordered = sorted(
        range(len(usable)),
        key=lambda i: (sums[i], -float(usable[i].swing_bpm or 0.0), usable[i].rate_bpm),
    )
    best = ordered[0]
    return Recommendation(
        rate_bpm=usable[best].rate_bpm,
        won=tuple(firsts[best]),
        rank_sums={s.rate_bpm: sums[i] for i, s in enumerate(usable)},
        excluded=excluded,
        not_followed=not_followed,
        order=tuple(usable[i].rate_bpm for i in ordered),
    )


# -- the stored result ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """What is stored for one finished assessment (`app.store.assessments`)."""

    session_id: int
    finished_at: str
    steps: tuple[StepResult, ...]
    recommended_bpm: float | None
    reason: str
    confirmed_bpm: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "finished_at": self.finished_at,
            "steps": [s.to_dict() for s in self.steps],
            "recommended_bpm": self.recommended_bpm,
            "reason": self.reason,
            "confirmed_bpm": self.confirmed_bpm,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AssessmentResult:
        return cls(
            session_id=int(data["session_id"]),
            finished_at=str(data["finished_at"]),
            steps=tuple(StepResult.from_dict(s) for s in data.get("steps", [])),
            recommended_bpm=data.get("recommended_bpm"),
            reason=str(data.get("reason", "")),
            confirmed_bpm=data.get("confirmed_bpm"),
        )
