"""The after-session summary ("today's coping"), computed from the stored beats. Qt-free.

Before vs after compares the first and the last `PERIOD_S` seconds of active (unpaused) time:
mean heart rate and RMSSD from the analysis core's report on those beats, and the mean of the
coherence scores computed every 5 s inside each period (the same rule as the live screen: the last
64 s of gap-free beats). Time in medium/high coherence counts 5 s per coherence score in that band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.hrv.report import HrvReport, analyze
from app.session.live import (
    COHERENCE_EVERY_S,
    COHERENCE_WINDOW_S,
    BoolArray,
    LiveAnalysis,
)
from app.session.ring import FloatArray, frozen
from app.store.records import BeatRecord, MarkRecord, SessionRecord

PERIOD_S = 120.0
MIN_PERIOD_BEATS = 10


@dataclass(frozen=True, slots=True)
class PeriodStats:
    """Mean heart rate, RMSSD and coherence over one stretch of the session."""

    start_active_s: float
    end_active_s: float
    start_t_s: float
    end_t_s: float
    mean_hr_bpm: float | None
    rmssd_ms: float | None
    coherence: float | None


@dataclass(frozen=True, slots=True)
class SessionBeats:
    """A session's beats as read-only arrays, with active time (NaN for beats during a pause)."""

    t_s: FloatArray
    rr_ms: FloatArray
    gap_before: BoolArray
    artifact: BoolArray
    active_s: FloatArray
    pause_spans: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class CoherencePoint:
    active_s: float
    ratio: float
    band: str


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """Everything the summary screen shows. Times in seconds, heart rate in bpm."""

    session_id: int
    status: str
    duration_s: float
    rate_bpm: float | None
    n_beats: int
    artifact_pct: float | None
    before: PeriodStats | None
    after: PeriodStats | None
    coherence_points: tuple[CoherencePoint, ...]
    time_medium_s: float
    time_high_s: float
    scored_s: float
    hr_t_s: FloatArray
    hr_bpm: FloatArray
    gap_before: BoolArray
    stress_before: int | None
    stress_after: int | None
    note: str | None
    #: Recorded from the demo strap: practice, not the person's data.
    simulated: bool = False

    @property
    def time_in_coherence_s(self) -> float:
        return self.time_medium_s + self.time_high_s

    @property
    def hr_change_bpm(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        if self.before.mean_hr_bpm is None or self.after.mean_hr_bpm is None:
            return None
        return self.after.mean_hr_bpm - self.before.mean_hr_bpm


def pause_spans(marks: Sequence[MarkRecord], end_s: float) -> tuple[tuple[float, float], ...]:
    """(start, end) of each pause in session seconds, from `pause`/`resume` marks."""
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for mark in sorted(marks, key=lambda m: m.t_ms):
        if mark.kind == "pause" and start is None:
            start = mark.t_ms / 1000.0
        elif mark.kind == "resume" and start is not None:
            spans.append((start, mark.t_ms / 1000.0))
            start = None
    if start is not None:
        spans.append((start, max(start, end_s)))
    return tuple(spans)


def session_beats(beats: Sequence[BeatRecord], marks: Sequence[MarkRecord]) -> SessionBeats:
    """Arrays of a stored session's beats with their active times."""
    t_s = np.array([b.t_ms for b in beats], dtype=np.float64) / 1000.0
    rr = np.array([b.rr_ms for b in beats], dtype=np.float64)
    gaps = np.array([b.gap_before for b in beats], dtype=np.bool_)
    artifact = np.array([b.artifact for b in beats], dtype=np.bool_)
    end_s = float(t_s[-1]) if t_s.size else 0.0
    spans = pause_spans(marks, end_s)
    active = t_s.copy()
    for start, stop in spans:
        active -= np.clip(t_s - start, 0.0, stop - start)
        active[(t_s > start) & (t_s < stop)] = np.nan
    # The first beat after a pause must not be differenced against one before it.
    paused = np.isnan(active)
    if paused.any():
        after = np.zeros_like(paused)
        after[1:] = paused[:-1] & ~paused[1:]
        gaps = gaps | after
    return SessionBeats(
        t_s=frozen(t_s),
        rr_ms=frozen(rr),
        gap_before=_frozen_bool(gaps),
        artifact=_frozen_bool(artifact),
        active_s=frozen(active),
        pause_spans=spans,
    )


def _frozen_bool(values: np.typing.ArrayLike) -> BoolArray:
    out = np.array(values, dtype=np.bool_, copy=True)
    out.setflags(write=False)
    return out


def _select(sb: SessionBeats, lo: float, hi: float) -> tuple[FloatArray, BoolArray]:
    """RR and gap flags of the active beats with lo < active <= hi (first flag cleared)."""
    ok = np.isfinite(sb.active_s)
    idx = np.nonzero(ok & (sb.active_s > lo) & (sb.active_s <= hi))[0]
    rr = sb.rr_ms[idx]
    gaps = sb.gap_before[idx].copy()
    if idx.size:
        gaps[1:] |= np.diff(idx) > 1
        gaps[0] = False
    return frozen(rr), _frozen_bool(gaps)


def coherence_points(
    sb: SessionBeats,
    analysis: LiveAnalysis,
    every_s: float = COHERENCE_EVERY_S,
    window_s: float = COHERENCE_WINDOW_S,
) -> tuple[CoherencePoint, ...]:
    """Coherence every `every_s` of active time on the last `window_s` of gap-free beats."""
    finite = sb.active_s[np.isfinite(sb.active_s)]
    if finite.size == 0:
        return ()
    end = float(finite.max())
    out: list[CoherencePoint] = []
    tick = every_s
    while tick <= end + 1e-9:
        rr, gaps = _select(sb, tick - window_s - 3.0, tick)
        gap_idx = np.nonzero(gaps)[0]
        if gap_idx.size:
            rr = rr[int(gap_idx[-1]) :]
        if float(np.sum(rr)) / 1000.0 >= window_s:
            result = analysis.coherence(frozen(rr))
            if result is not None:
                out.append(CoherencePoint(tick, result[0], result[1]))
        tick += every_s
    return tuple(out)


def _period(
    sb: SessionBeats, points: Sequence[CoherencePoint], lo: float, hi: float
) -> PeriodStats:
    rr, gaps = _select(sb, lo, hi)
    mean_hr = rmssd = None
    if rr.size >= MIN_PERIOD_BEATS:
        try:
            report = analyze(np.asarray(rr), gap_before=np.asarray(gaps), correction="auto")
        except ValueError:
            report = None
        if report is not None:
            mean_hr = report.mean_hr_bpm
            rmssd = report.rmssd_ms
    scores = [p.ratio for p in points if lo < p.active_s <= hi]
    coherence = float(np.mean(scores)) if scores else None
    t0 = session_time(lo, sb.pause_spans)
    t1 = session_time(hi, sb.pause_spans)
    return PeriodStats(lo, hi, t0, t1, mean_hr, rmssd, coherence)


def session_time(active_s: float, spans: Sequence[tuple[float, float]]) -> float:
    """The session time at which `active_s` seconds of active time had passed."""
    t = active_s
    for start, stop in sorted(spans):
        if start < t:
            t += stop - start
    return t


def full_report(sb: SessionBeats) -> HrvReport | None:
    """The core's full report on all active beats (artifact correction on), or None if too few."""
    rr, gaps = _select(sb, -np.inf, np.inf)
    if rr.size < MIN_PERIOD_BEATS:
        return None
    try:
        return analyze(np.asarray(rr), gap_before=np.asarray(gaps), correction="auto")
    except ValueError:
        return None


def summarize_session(
    session: SessionRecord,
    beats: Sequence[BeatRecord],
    marks: Sequence[MarkRecord],
    analysis: LiveAnalysis,
    *,
    period_s: float = PERIOD_S,
) -> SessionSummary:
    """The summary of one stored session (safe to run on a worker thread: inputs are immutable)."""
    sb = session_beats(beats, marks)
    finite = sb.active_s[np.isfinite(sb.active_s)]
    active_end = float(finite.max()) if finite.size else 0.0
    duration = session.duration_s if session.duration_s is not None else active_end
    points = coherence_points(sb, analysis)
    before = after = None
    if active_end >= period_s / 2:
        span = min(period_s, active_end)
        first_active = float(finite.min()) - 1e-9
        before = _period(sb, points, first_active, first_active + span)
        after = _period(sb, points, active_end - span, active_end)
    report = full_report(sb)
    hr = 60000.0 / sb.rr_ms if sb.rr_ms.size else sb.rr_ms
    return SessionSummary(
        session_id=session.id,
        status=session.status,
        duration_s=float(duration),
        rate_bpm=session.rate_bpm,
        n_beats=int(sb.rr_ms.size),
        artifact_pct=None if report is None else report.artifact_pct,
        before=before,
        after=after,
        coherence_points=points,
        time_medium_s=COHERENCE_EVERY_S * sum(p.band == "medium" for p in points),
        time_high_s=COHERENCE_EVERY_S * sum(p.band == "high" for p in points),
        scored_s=COHERENCE_EVERY_S * len(points),
        hr_t_s=sb.t_s,
        hr_bpm=frozen(hr),
        gap_before=sb.gap_before,
        stress_before=session.stress_before,
        stress_after=session.stress_after,
        note=session.note,
        simulated=session.simulated,
    )
