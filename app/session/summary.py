"""The after-session summary ("today's coping"), computed from the stored beats. Qt-free.

Before vs after compares two stretches of active (unpaused) time that never share a beat
(`compared_periods`): the first and the last `PERIOD_S` (2 min) when the session (first to last
beat) lasts at least `HALVES_BELOW_S` (4 min); its first and second half when it is shorter; and
nothing, said plainly, below `MIN_COMPARE_S` (1 min). Mean heart rate and RMSSD come from the
analysis core's report on each stretch's beats.

The heart-rate plot data are the corrected beats (`app.session.plot_data.corrected_beats`: the
core's artifact correction, segment by segment) with one marker per corrected artifact, so the
chart never shows a missed beat as a plunge.

Coherence is the one definition in `app.hrv.coherence`: the scores every 5 s of active time
(`coherence_at`, the numbers the live screen showed), the session's coherence is their mean
(`mean_score`), and a stretch's coherence the mean of the scores whose whole window lies inside
it. Time in medium/high coherence counts 5 s per score in that band.

Following (a breathing session with a pacer): the reads the live screen got, every 5 s of active
time from 65 s on (`app.hrv.following.following_track`, at the pacer's rate of each moment,
ramp included); the time following counts 5 s per read at or above the threshold, and the
breathing rate is the median of the reads' rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app.breathing import BreathingPattern, pacer_state
from app.hrv.coherence import (
    REACH_S,
    CoherenceBand,
    CoherenceTick,
    coherence_track,
    mean_score,
)
from app.hrv.following import (
    FollowingTick,
    RateAt,
    following_track,
    median_breathing_rate,
    time_following_s,
)
from app.hrv.report import HrvReport, analyze
from app.session.live import COHERENCE_EVERY_S, BoolArray, LiveAnalysis
from app.session.plot_data import BeatPlot, corrected_beats
from app.session.ring import FloatArray, frozen
from app.store.records import BeatRecord, MarkRecord, SessionKind, SessionRecord, SessionStatus

PERIOD_S = 120.0
HALVES_BELOW_S = 240.0
MIN_COMPARE_S = 60.0
MIN_PERIOD_BEATS = 10


class Comparison(StrEnum):
    """What the before/after rows compare."""

    TOO_SHORT = "too short"  # under MIN_COMPARE_S: nothing to compare
    HALVES = "halves"  # first half vs second half
    FIRST_LAST = "first and last 2 min"


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
    """One 5 s coherence score: its moment (active seconds), the shown score, ratio and band."""

    active_s: float
    score: float
    ratio: float
    band: CoherenceBand


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """Everything the summary screen shows. Times in seconds, heart rate in bpm."""

    session_id: int
    status: SessionStatus
    duration_s: float
    rate_bpm: float | None
    n_beats: int
    artifact_pct: float | None
    comparison: Comparison
    before: PeriodStats | None
    after: PeriodStats | None
    coherence: float | None  # the session's coherence: the mean of its 5 s scores
    coherence_points: tuple[CoherencePoint, ...]
    time_medium_s: float
    time_high_s: float
    scored_s: float
    #: The corrected beats to plot, with the corrected artifacts marked.
    beats_plot: BeatPlot
    stress_before: int | None
    stress_after: int | None
    note: str | None
    #: Recorded from the demo strap: practice, not the person's data.
    simulated: bool = False
    #: The 5 s following reads of a paced breathing session (empty without a pacer).
    following_reads: tuple[FollowingTick, ...] = ()
    #: How long the heart followed the pacer (None: no pacer, or no read).
    time_following_s: float | None = None
    #: The median breathing rate of the reads (None: no pacer, or no rate found).
    breathing_rate_per_min: float | None = None

    @property
    def hr_t_s(self) -> FloatArray:
        """Times of the corrected beats (session seconds)."""
        return self.beats_plot.t_s

    @property
    def hr_bpm(self) -> FloatArray:
        """Heart rate of the corrected beats."""
        return self.beats_plot.hr_bpm

    @property
    def gap_before(self) -> BoolArray:
        """True before a corrected beat that follows a link gap or a pause."""
        return self.beats_plot.gap_before

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


def coherence_ticks(sb: SessionBeats, analysis: LiveAnalysis) -> tuple[CoherenceTick, ...]:
    """The session's 5 s coherence scores on active time (paused beats left out)."""
    return coherence_track(sb.active_s, sb.rr_ms, sb.gap_before, score_at=analysis.coherence_at)


def coherence_points(ticks: Sequence[CoherenceTick]) -> tuple[CoherencePoint, ...]:
    """The 5 s coherence scores as plain points."""
    return tuple(
        CoherencePoint(t.at_s, t.result.score, t.result.ratio, t.result.band) for t in ticks
    )


def compared_periods(
    first_active_s: float, last_active_s: float, period_s: float = PERIOD_S
) -> tuple[Comparison, tuple[float, float] | None, tuple[float, float] | None]:
    """The two stretches (lo, hi] of active time that before/after compare; they never overlap."""
    length = last_active_s - first_active_s
    lo = first_active_s - 1e-9  # the first beat belongs to the first stretch
    if length < MIN_COMPARE_S:
        return Comparison.TOO_SHORT, None, None
    if length < max(HALVES_BELOW_S, 2.0 * period_s):
        middle = first_active_s + length / 2.0
        return Comparison.HALVES, (lo, middle), (middle, last_active_s)
    return (
        Comparison.FIRST_LAST,
        (lo, first_active_s + period_s),
        (last_active_s - period_s, last_active_s),
    )


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
    # A score counts when its whole window (REACH_S before its moment) lies inside the stretch.
    scores = [p.score for p in points if lo + REACH_S <= p.active_s + 1e-9 and p.active_s <= hi]
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


def pacer_rate_of(session: SessionRecord) -> RateAt | None:
    """The pacer rate at each active moment of a stored breathing session (None: no pacer)."""
    if session.kind != SessionKind.BREATHING or session.rate_bpm is None:
        return None
    rate = float(session.rate_bpm)
    if session.pattern_json:
        try:
            pattern = BreathingPattern.from_json(session.pattern_json)
        except (ValueError, TypeError, KeyError):  # a pattern this version cannot read
            pattern = None
        if pattern is not None:
            return lambda active_s: pacer_state(pattern, max(0.0, active_s)).current_rate_bpm
    return lambda _active_s: rate


def following_reads(sb: SessionBeats, session: SessionRecord) -> tuple[FollowingTick, ...]:
    """The session's 5 s following reads (empty for a session without a pacer)."""
    rate_at = pacer_rate_of(session)
    if rate_at is None:
        return ()
    return following_track(sb.active_s, sb.rr_ms, sb.gap_before, rate_at)


def summarize_session(
    session: SessionRecord,
    beats: Sequence[BeatRecord],
    marks: Sequence[MarkRecord],
    analysis: LiveAnalysis,
    *,
    period_s: float = PERIOD_S,
    with_following: bool = True,
) -> SessionSummary:
    """The summary of one stored session (safe to run on a worker thread: inputs are immutable).

    `with_following` False leaves the following reads out, for callers that show no following.
    """
    sb = session_beats(beats, marks)
    finite = sb.active_s[np.isfinite(sb.active_s)]
    active_end = float(finite.max()) if finite.size else 0.0
    duration = session.duration_s if session.duration_s is not None else active_end
    ticks = coherence_ticks(sb, analysis)
    points = coherence_points(ticks)
    first_active = float(finite.min()) if finite.size else 0.0
    comparison, first, last = compared_periods(first_active, active_end, period_s)
    before = None if first is None else _period(sb, points, *first)
    after = None if last is None else _period(sb, points, *last)
    report = full_report(sb)
    # the reads cost about 10 ms each (a 60 min session: several seconds); skip them if unused
    reads = following_reads(sb, session) if with_following else ()
    return SessionSummary(
        session_id=session.id,
        status=session.status,
        duration_s=float(duration),
        rate_bpm=session.rate_bpm,
        n_beats=int(sb.rr_ms.size),
        artifact_pct=None if report is None else report.artifact_pct,
        comparison=comparison,
        before=before,
        after=after,
        coherence=mean_score(ticks),
        coherence_points=points,
        time_medium_s=COHERENCE_EVERY_S * sum(p.band is CoherenceBand.MEDIUM for p in points),
        time_high_s=COHERENCE_EVERY_S * sum(p.band is CoherenceBand.HIGH for p in points),
        scored_s=COHERENCE_EVERY_S * len(points),
        beats_plot=corrected_beats(sb.t_s, sb.rr_ms, sb.gap_before),
        stress_before=session.stress_before,
        stress_after=session.stress_after,
        note=session.note,
        simulated=session.simulated,
        following_reads=reads,
        time_following_s=time_following_s(reads) if reads else None,
        breathing_rate_per_min=median_breathing_rate(reads),
    )
