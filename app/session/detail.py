"""Everything the History detail view shows for one stored session. Qt-free, thread-safe inputs.

The full HRV report comes from the analysis core on the session's active beats (pauses left out,
link gaps honoured); each beat's artifact kind comes from the core's artifact detection on the
same beats, so the marks on the plot and the artifact share in the report agree. The report's
coherence is the session's coherence from the summary (`app.hrv.coherence`: the mean of the 5 s
scores the live screen showed), written by `format_coherence` like on every other screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from app.hrv.artifacts import correct_artifacts
from app.hrv.coherence import WINDOW_S, format_coherence
from app.hrv.report import HrvReport
from app.hrv.segments import starts_from_gaps
from app.session.live import BoolArray, LiveAnalysis
from app.session.ring import FloatArray
from app.session.summary import (
    SessionSummary,
    full_report,
    session_beats,
    summarize_session,
)
from app.store.records import BeatRecord, MarkRecord, SessionRecord

NO_VALUE = "\u2013"  # an en dash: the data cannot give this value


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """A stored session with its report and per-beat artifact kinds."""

    session: SessionRecord
    summary: SessionSummary
    report: HrvReport | None
    t_s: FloatArray
    rr_ms: FloatArray
    gap_before: BoolArray
    paused: BoolArray
    artifact_kind: tuple[str, ...]  # per stored beat: "normal", "ectopic", ... ("paused")
    artifact_counts: tuple[tuple[str, int], ...]

    @property
    def artifact_mask(self) -> BoolArray:
        out = np.array([k not in ("normal", "paused") for k in self.artifact_kind], dtype=bool)
        out.setflags(write=False)
        return out


def session_detail(
    session: SessionRecord,
    beats: Sequence[BeatRecord],
    marks: Sequence[MarkRecord],
    analysis: LiveAnalysis,
) -> SessionDetail:
    sb = session_beats(beats, marks)
    paused = np.isnan(sb.active_s)
    kinds = ["paused" if p else "normal" for p in paused]
    counts: dict[str, int] = {}
    active_idx = np.nonzero(~paused)[0]
    if active_idx.size >= 3:
        rr = sb.rr_ms[active_idx]
        gaps = sb.gap_before[active_idx].copy()
        gaps[1:] |= np.diff(active_idx) > 1
        gaps[0] = False
        correction = correct_artifacts(rr, segment_starts=starts_from_gaps(gaps, rr.size))
        for i, kind in zip(active_idx.tolist(), correction.kinds, strict=True):
            kinds[i] = str(kind)
        counts = {str(k): v for k, v in correction.kind_counts().items()}
    summary = summarize_session(session, beats, marks, analysis)
    report = full_report(sb)
    return SessionDetail(
        session=session,
        summary=summary,
        report=None if report is None else with_session_coherence(report, summary),
        t_s=sb.t_s,
        rr_ms=sb.rr_ms,
        gap_before=sb.gap_before,
        paused=_frozen_bool(paused),
        artifact_kind=tuple(kinds),
        artifact_counts=tuple(sorted(counts.items())),
    )


def with_session_coherence(report: HrvReport, summary: SessionSummary) -> HrvReport:
    """The report with its coherence replaced by the session's (the summary's) coherence."""
    reasons = dict(report.reasons)
    reasons.pop("coherence", None)
    if summary.coherence is None:
        reasons["coherence"] = f"needs {WINDOW_S:g} s without a gap"
    return replace(report, coherence=summary.coherence, reasons=MappingProxyType(reasons))


def _frozen_bool(values: np.typing.ArrayLike) -> BoolArray:
    out = np.array(values, dtype=np.bool_, copy=True)
    out.setflags(write=False)
    return out


def report_text(attr: str, value: float | int | None, unit: str, decimals: int) -> str:
    """The text of one report row (coherence written the one shared way)."""
    if attr == "coherence":
        return format_coherence(None if value is None else float(value))
    return format_value(value, unit, decimals)


def format_value(value: float | int | None, unit: str = "", decimals: int = 0) -> str:
    """A measured value as every screen and the report write it: `62.5 ms`; `NO_VALUE` if none."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return NO_VALUE
    text = f"{value:.{decimals}f}"
    return f"{text} {unit}".strip()
