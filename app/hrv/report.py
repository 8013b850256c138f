"""One call from RR intervals to the full HRV report that `baseline analyze` prints.

`analyze` validates the series, detects (and with correction "auto" corrects) artifacts, and
computes every metric on gap-free segments. A metric the data cannot support is None, and
`reasons` says why (for example "window too short for VLF (needs 300 s without a gap, has 120 s)").

Field meanings: `n_beats` counts the RR intervals given (before correction) and `duration_s` is
their sum; `artifact_pct` is the share of those beats the detector flagged (reported with
correction "none" too, which only leaves the values uncorrected); `coherence` is the mean
coherence score (0-10, the scale every screen shows: `app.hrv.coherence.score_from_ratio`) over
consecutive 64 s windows of the corrected series; `stress_index` is sqrt(Baevsky SI), as Kubios
reports it; `breathing_rate_per_min` is the rate of the heart-rate wave breathing makes, and
`pacer_following` (only when a pacer rate is given) the median share of the HRV power near the
pacer over the 64 s windows (both `app.hrv.following`). Everything else is defined in the module
that computes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Literal

import numpy as np
import numpy.typing as npt

from app.hrv import nonlinear, time_domain
from app.hrv.artifacts import ArtifactCorrection, correct_artifacts
from app.hrv.coherence import WINDOW_S as COHERENCE_WINDOW_S
from app.hrv.coherence import coherence_ratios, score_from_ratio
from app.hrv.following import FOLLOWING_WINDOW_S, breathing_rate_per_min, median_following
from app.hrv.frequency import Spectrum, frequency_domain
from app.hrv.segments import (
    segment_ends,
    starts_from_gaps,
    successive_differences,
    validate_rr,
)

Correction = Literal["auto", "none"]

#: Added to the JSON keys when a pacer rate was given.
PACER_JSON_KEY = "pacer_following"


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One metric as people read it: its section, name, `HrvReport` field, unit and decimals."""

    section: str
    label: str
    key: str
    unit: str
    decimals: int


#: Every metric of the report in the order `analyze` prints it and the session detail shows it.
REPORT_ROWS: tuple[ReportRow, ...] = (
    ReportRow("Recording", "Beats", "n_beats", "", 0),
    ReportRow("Recording", "Duration", "duration_s", "s", 0),
    ReportRow("Recording", "Artifacts", "artifact_pct", "%", 1),
    ReportRow("Time domain", "Mean RR", "mean_rr_ms", "ms", 1),
    ReportRow("Time domain", "Mean heart rate", "mean_hr_bpm", "bpm", 1),
    ReportRow("Time domain", "SDNN", "sdnn_ms", "ms", 1),
    ReportRow("Time domain", "RMSSD", "rmssd_ms", "ms", 1),
    ReportRow("Time domain", "ln RMSSD", "ln_rmssd", "", 2),
    ReportRow("Time domain", "pNN50", "pnn50_pct", "%", 1),
    ReportRow("Frequency domain", "VLF power", "vlf_ms2", "ms²", 0),
    ReportRow("Frequency domain", "LF power", "lf_ms2", "ms²", 0),
    ReportRow("Frequency domain", "HF power", "hf_ms2", "ms²", 0),
    ReportRow("Frequency domain", "LF/HF", "lf_hf", "", 2),
    ReportRow("Frequency domain", "LF (normalised)", "lf_nu", "n.u.", 1),
    ReportRow("Frequency domain", "HF (normalised)", "hf_nu", "n.u.", 1),
    ReportRow("Frequency domain", "LF peak", "lf_peak_hz", "Hz", 3),
    ReportRow("Frequency domain", "HF peak", "hf_peak_hz", "Hz", 3),
    ReportRow("Nonlinear", "SD1", "sd1_ms", "ms", 1),
    ReportRow("Nonlinear", "SD2", "sd2_ms", "ms", 1),
    ReportRow("Nonlinear", "DFA alpha1", "dfa_a1", "", 2),
    ReportRow("Nonlinear", "Stress index (√SI)", "stress_index", "", 1),
    ReportRow("Nonlinear", "Coherence (0-10)", "coherence", "", 1),
    ReportRow("Breathing", "Breathing rate", "breathing_rate_per_min", "/min", 1),
    ReportRow("Breathing", "Pacer following (0-1)", PACER_JSON_KEY, "", 2),
)
#: The keys of `analyze --json`, in the documented order (CLI.md).
JSON_KEYS: tuple[str, ...] = tuple(row.key for row in REPORT_ROWS if row.key != PACER_JSON_KEY)


@dataclass(frozen=True)
class HrvReport:
    """All metrics of one recording; None where the data cannot support a metric."""

    n_beats: int
    duration_s: float | None
    artifact_pct: float | None
    mean_rr_ms: float | None
    mean_hr_bpm: float | None
    sdnn_ms: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None
    pnn50_pct: float | None
    vlf_ms2: float | None
    lf_ms2: float | None
    hf_ms2: float | None
    lf_hf: float | None
    lf_nu: float | None
    hf_nu: float | None
    lf_peak_hz: float | None
    hf_peak_hz: float | None
    sd1_ms: float | None
    sd2_ms: float | None
    dfa_a1: float | None
    stress_index: float | None
    coherence: float | None
    breathing_rate_per_min: float | None
    reasons: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    pacer_rate_per_min: float | None = None
    pacer_following: float | None = None

    def to_json_dict(self) -> dict[str, int | float | None]:
        """Exactly the documented JSON keys, in order (`pacer_following` with a pacer rate)."""
        values: dict[str, int | float | None] = {key: getattr(self, key) for key in JSON_KEYS}
        if self.pacer_rate_per_min is not None:
            values[PACER_JSON_KEY] = self.pacer_following
        return values


@dataclass(frozen=True)
class HrvAnalysis:
    """The report plus what a UI may want to show beside it.

    Attributes:
        report: the metrics.
        correction: artifact detection on the input (kinds and flags per input beat) and the
            corrected series; used for the metrics only with correction "auto".
        spectrum: the Welch PSD the frequency metrics come from (None if too short).
    """

    report: HrvReport
    correction: ArtifactCorrection
    spectrum: Spectrum | None


def analyze(
    rr_ms: npt.ArrayLike,
    *,
    gap_before: npt.ArrayLike | None = None,
    correction: Correction = "auto",
    pacer_rate_per_min: float | None = None,
) -> HrvReport:
    """The HRV report of one recording of RR intervals in ms (see `analyze_detailed`)."""
    return analyze_detailed(
        rr_ms, gap_before=gap_before, correction=correction, pacer_rate_per_min=pacer_rate_per_min
    ).report


def analyze_detailed(
    rr_ms: npt.ArrayLike,
    *,
    gap_before: npt.ArrayLike | None = None,
    correction: Correction = "auto",
    pacer_rate_per_min: float | None = None,
) -> HrvAnalysis:
    """The HRV report of one recording, with the artifact correction and spectrum behind it.

    Args:
        rr_ms: RR intervals in ms, oldest first.
        gap_before: optional per-beat flags; True means the link dropped before that beat.
        correction: "auto" corrects detected artifacts first; "none" uses the values as given.
        pacer_rate_per_min: the rate a pacer was set to (breaths/min): adds `pacer_following`.

    Raises:
        InvalidRRError: values not finite or outside 1-65536 ms (a ValueError).
        InsufficientDataError: fewer than 10 beats (a ValueError).
    """
    if correction not in ("auto", "none"):
        raise ValueError(f"correction must be 'auto' or 'none', not {correction!r}")
    if pacer_rate_per_min is not None and not (
        math.isfinite(pacer_rate_per_min) and pacer_rate_per_min > 0
    ):
        raise ValueError(f"the pacer rate must be a positive number, not {pacer_rate_per_min!r}")
    rr = validate_rr(rr_ms)
    starts = starts_from_gaps(gap_before, rr.size)
    with np.errstate(all="ignore"):
        return _analyze(rr, starts, correction, pacer_rate_per_min)


def _analyze(
    rr: npt.NDArray[np.float64],
    starts: npt.NDArray[np.intp],
    correction: str,
    pacer_rate_per_min: float | None,
) -> HrvAnalysis:
    reasons: dict[str, str] = {}
    values: dict[str, float | None] = {}
    detection = correct_artifacts(rr, segment_starts=starts)
    values["duration_s"] = float(rr.sum()) / 1000.0
    values["artifact_pct"] = detection.artifact_pct
    if correction == "auto":
        series, series_starts = detection.rr_ms, detection.segment_starts
    else:
        series, series_starts = rr, starts

    values["mean_rr_ms"] = time_domain.mean_rr_ms(series)
    values["mean_hr_bpm"] = time_domain.mean_hr_bpm(series)
    values["sdnn_ms"] = time_domain.sdnn_ms(series)
    diffs = successive_differences(series, series_starts)
    if diffs.size == 0:
        for key in ("rmssd_ms", "ln_rmssd", "pnn50_pct", "sd1_ms", "sd2_ms"):
            reasons[key] = "no two successive beats without a gap between them"
    else:
        values["rmssd_ms"] = time_domain.rmssd_ms(diffs)
        values["ln_rmssd"] = time_domain.ln_rmssd(diffs)
        if not math.isfinite(values["ln_rmssd"] or 0.0):
            values["ln_rmssd"] = None
            reasons["ln_rmssd"] = "RMSSD is zero (a perfectly regular series)"
        values["pnn50_pct"] = time_domain.pnn50_pct(diffs)
        if diffs.size >= 2:
            values["sd1_ms"], values["sd2_ms"] = nonlinear.poincare_sd1_sd2(series, diffs)
        else:
            reasons["sd1_ms"] = reasons["sd2_ms"] = "needs at least 2 successive differences"

    spectral = frequency_domain(series, series_starts)
    for key in ("vlf_ms2", "lf_ms2", "hf_ms2", "lf_hf", "lf_nu", "hf_nu"):
        values[key] = getattr(spectral, key)
    values["lf_peak_hz"] = spectral.lf_peak_hz
    values["hf_peak_hz"] = spectral.hf_peak_hz
    reasons.update(spectral.reasons)

    box = nonlinear.DFA_SHORT_BOXES[-1]
    lengths = segment_ends(series_starts, series.size) - series_starts
    if int(np.sum(lengths // box)) * box < nonlinear.DFA_MIN_BEATS:
        reasons["dfa_a1"] = (
            f"too few beats for DFA alpha1 (needs {nonlinear.DFA_MIN_BEATS} without a gap)"
        )
    else:
        values["dfa_a1"] = nonlinear.dfa_alpha1(series, series_starts)
        if values["dfa_a1"] is None:
            reasons["dfa_a1"] = "no beat-to-beat variation to analyse"

    values["stress_index"] = nonlinear.stress_index_sqrt(series)
    if values["stress_index"] is None:
        reasons["stress_index"] = "all RR intervals are equal"

    ratios = coherence_ratios(series, series_starts)
    if ratios.size:
        values["coherence"] = float(np.mean([score_from_ratio(float(r)) for r in ratios]))
    else:
        reasons["coherence"] = f"needs {COHERENCE_WINDOW_S:g} s without a gap"

    no_wave = f"needs {FOLLOWING_WINDOW_S:g} s without a gap, with a heart-rate wave"
    # the stretch functions take the input and its correction (to leave out windows of mostly
    # corrected beats), or with correction "none" the values as given
    wave_correct: ArtifactCorrection | bool = detection if correction == "auto" else False
    values["breathing_rate_per_min"] = breathing_rate_per_min(
        rr, segment_starts=starts, correct=wave_correct
    )
    if values["breathing_rate_per_min"] is None:
        reasons["breathing_rate_per_min"] = no_wave
    if pacer_rate_per_min is not None:
        values["pacer_following"] = median_following(
            rr, pacer_rate_per_min, segment_starts=starts, correct=wave_correct
        )
        if values["pacer_following"] is None:
            reasons["pacer_following"] = no_wave

    for key, value in list(values.items()):
        if value is not None and not math.isfinite(value):
            values[key] = None
            reasons.setdefault(key, "not computable from these values")
    not_metrics = ("n_beats", "reasons", "pacer_rate_per_min")
    metric_keys = [f.name for f in fields(HrvReport) if f.name not in not_metrics]
    report = HrvReport(
        n_beats=int(rr.size),
        pacer_rate_per_min=pacer_rate_per_min,
        **{key: values.get(key) for key in metric_keys},
        reasons=MappingProxyType({k: v for k, v in reasons.items() if values.get(k) is None}),
    )
    return HrvAnalysis(report=report, correction=detection, spectrum=spectral.spectrum)
