"""The Qt-free live session engine: beats in, immutable snapshots and live numbers out.

Beats (session time, RR, gap flag) are appended to preallocated ring buffers as they arrive;
nothing is rolled or reallocated per beat. The UI asks for a `LiveSnapshot` on its own timer
(~30 Hz); the snapshot holds read-only copies of the last few minutes and the live numbers,
which are recomputed only when new beats arrive or a 5 s coherence tick passes.

Times: `t_s` is session time (seconds since the session started, pauses included, as stored).
`active_s` is session time with paused spans removed: metrics windows and the pacer run on it.
Beats whose time falls inside a pause are kept (and stored by the recorder) but excluded from
metrics.

Coherence is `app.hrv.coherence.coherence_at` (through the analysis adapter) on the fixed 5 s grid
of active time: the score of moment `k * 5 s` is computed from the beats up to that moment, as
soon as a later beat shows that all of them have arrived (beats arrive in time order). Until then
the previous score stays on screen, also while the link is down. The summary and the History
detail take the same scores from the stored beats, so a session's numbers agree everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.hrv.coherence import REACH_S, STEP_S, WINDOW_S, CoherenceBand, CoherenceResult
from app.session.ring import FloatArray, FloatRing, frozen

BoolArray = npt.NDArray[np.bool_]

RMSSD_WINDOW_S = 60.0
COHERENCE_WINDOW_S = WINDOW_S
COHERENCE_EVERY_S = STEP_S
COHERENCE_CATCH_UP_S = 60.0  # moments this far behind the newest beat are skipped (no snapshots)
SWING_BREATHS = 3  # the swing shown is the mean over the last few complete breaths
HR_READING_FRESH_S = 5.0
MIN_RMSSD_BEATS = 20
MIN_SWING_BEATS = 3
BEAT_CAPACITY = 4096  # > 20 min at 180 bpm: covers the plot window and any metric window
READING_CAPACITY = 1024
PLOT_WINDOW_S = 150.0


class LiveAnalysis(Protocol):
    """What the engine needs from the analysis core (see `app.session.core_metrics`)."""

    def rmssd_ms(self, rr_ms: FloatArray, gap_before: BoolArray) -> float | None:
        """RMSSD of a short window; never a difference across a gap."""
        ...

    def coherence_at(
        self, t_s: FloatArray, rr_ms: FloatArray, gap_before: BoolArray, at_s: float
    ) -> CoherenceResult | None:
        """`app.hrv.coherence.coherence_at`: the score of moment `at_s`, or None."""
        ...

    def artifact_flags(self, rr_ms: FloatArray) -> BoolArray:
        """One flag per beat: True where the core flags an artifact."""
        ...


# Inhale start times (active seconds) within [t0, t1], ascending.
BreathStarts = Callable[[float, float], FloatArray]
# The pacer's breathing wave (0 = empty, 1 = full) at active times.
BreathingWave = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True, slots=True)
class LiveNumber:
    """A live value, or how long until there is enough data for one.

    `value` is None while collecting (then `collecting_s_left` says how much longer) or when the
    value cannot be computed at all (then `note` says why, e.g. the strap sends no RR).
    """

    value: float | None
    collecting_s_left: float | None = None
    band: CoherenceBand | None = None
    note: str | None = None

    @property
    def ready(self) -> bool:
        return self.value is not None


COLLECTING_NOTHING = LiveNumber(None, None, note="no heart data")


@dataclass(frozen=True, slots=True)
class CoherenceTick:
    """The coherence score of the moment `active_s` (a multiple of 5 s; session time `t_s`)."""

    t_s: float
    active_s: float
    score: float
    ratio: float
    band: CoherenceBand
    beats_seen: int = 0  # beats received when it was computed


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """Everything the live screen draws, as read-only arrays and tuples.

    Arrays cover the last `PLOT_WINDOW_S` seconds of session time (beats arriving while paused
    included). `gap_before[i]` is True when the link dropped (or a pause ended) before beat i.
    """

    now_s: float
    active_s: float
    paused: bool
    link_down_since_s: float | None
    beat_t_s: FloatArray
    rr_ms: FloatArray
    hr_bpm: FloatArray
    gap_before: BoolArray
    reading_t_s: FloatArray
    reading_bpm: FloatArray
    wave_t_s: FloatArray
    wave: FloatArray
    gap_spans: tuple[tuple[float, float], ...]
    pause_spans: tuple[tuple[float, float], ...]
    heart_rate: LiveNumber
    rmssd: LiveNumber
    coherence: LiveNumber
    hr_swing: LiveNumber
    beats_total: int
    coherence_ticks: tuple[CoherenceTick, ...] = field(default=())


def _bool_frozen(values: npt.ArrayLike) -> BoolArray:
    out = np.array(values, dtype=np.bool_, copy=True)
    out.setflags(write=False)
    return out


class LiveEngine:
    """Keeps the live session state. Single-threaded: call everything from one thread.

    Args:
        analysis: the analysis core adapter (RMSSD, coherence, artifact flags).
        breath_starts: inhale start times of the pacer in active seconds (for the HR swing).
        breathing_wave: the pacer's wave at active times (drawn behind the HR plot), or None.
        plot_window_s: how much session time the snapshot arrays cover.
    """

    def __init__(
        self,
        analysis: LiveAnalysis,
        breath_starts: BreathStarts | None = None,
        breathing_wave: BreathingWave | None = None,
        *,
        plot_window_s: float = PLOT_WINDOW_S,
        beat_capacity: int = BEAT_CAPACITY,
        wave_points_per_s: float = 4.0,
    ) -> None:
        self._analysis = analysis
        self._breath_starts = breath_starts
        self._breathing_wave = breathing_wave
        self.plot_window_s = plot_window_s
        self._wave_points_per_s = wave_points_per_s
        self._t = FloatRing(beat_capacity)
        self._active = FloatRing(beat_capacity)  # NaN for beats that arrived while paused
        self._rr = FloatRing(beat_capacity)
        self._gap = FloatRing(beat_capacity)  # 1.0 where gap_before
        self._reading_t = FloatRing(READING_CAPACITY)
        self._reading_bpm = FloatRing(READING_CAPACITY)
        self._pauses: list[tuple[float, float | None]] = []
        self._paused_total_s = 0.0
        self._gap_spans: list[tuple[float, float]] = []
        self._link_down_since: float | None = None
        self._after_pause = False
        self._first_active_beat_s: float | None = None
        self._newest_active_beat_s: float | None = None
        self._coherence_ticks: list[CoherenceTick] = []
        self._next_coherence_active_s = COHERENCE_EVERY_S
        self._cache_key: tuple[int, int, int] | None = None
        self._cached: tuple[LiveNumber, LiveNumber] | None = None
        self._coherence_now: LiveNumber = LiveNumber(None, None)
        self._coherence_ready_active_s: float | None = None
        self.has_rr = False

    # -- time ----------------------------------------------------------------------------
    @property
    def paused(self) -> bool:
        return bool(self._pauses) and self._pauses[-1][1] is None

    def active_time(self, t_s: float) -> float:
        """Session time `t_s` with the paused spans before it removed."""
        total = 0.0
        for start, end in self._pauses:
            if start >= t_s:
                break
            stop = t_s if end is None else min(end, t_s)
            total += max(0.0, stop - start)
        return t_s - total

    def pause(self, t_s: float) -> None:
        if not self.paused:
            self._pauses.append((t_s, None))

    def resume(self, t_s: float) -> None:
        if self.paused:
            start, _ = self._pauses[-1]
            self._pauses[-1] = (start, max(start, t_s))
            self._after_pause = True

    def link_down(self, t_s: float) -> None:
        """The link dropped (noticed at `t_s`); the data gap starts at the last beat before."""
        if self._link_down_since is None:
            last_beat = self._t.newest() if self._t.total else t_s
            self._link_down_since = min(t_s, last_beat)

    def link_up(self, t_s: float) -> None:
        if self._link_down_since is not None:
            self._gap_spans.append((self._link_down_since, max(self._link_down_since, t_s)))
            self._link_down_since = None

    # -- input ---------------------------------------------------------------------------
    def add_beat(self, t_s: float, rr_ms: float, gap_before: bool = False) -> None:
        """One beat at session time `t_s` ending an RR interval of `rr_ms`."""
        if not (math.isfinite(t_s) and math.isfinite(rr_ms)) or rr_ms <= 0:
            return
        paused = self._in_pause(t_s)
        if gap_before and self._t.total and not self._gap_spans_cover(t_s):
            self._gap_spans.append((self._t.newest(), t_s))
        self._t.append(t_s)
        self._rr.append(rr_ms)
        gap = gap_before or (self._after_pause and not paused)
        self._gap.append(1.0 if gap else 0.0)
        if paused:
            self._active.append(math.nan)
        else:
            active = self.active_time(t_s)
            self._active.append(active)
            self._after_pause = False
            if self._first_active_beat_s is None:
                self._first_active_beat_s = active
            self._newest_active_beat_s = active
        self.has_rr = True

    def add_beats(self, beats: Iterable[tuple[float, float, bool]]) -> None:
        for t_s, rr_ms, gap_before in beats:
            self.add_beat(t_s, rr_ms, gap_before)

    def add_reading(self, t_s: float, bpm: float) -> None:
        """A heart-rate reading as the strap reported it (0 bpm / no contact never comes here)."""
        if bpm > 0:
            self._reading_t.append(t_s)
            self._reading_bpm.append(float(bpm))

    def _in_pause(self, t_s: float) -> bool:
        """True when session time `t_s` lies inside a pause (as the stored marks say)."""
        return any(start < t_s and (end is None or t_s < end) for start, end in self._pauses)

    def session_time(self, active_s: float) -> float:
        """The session time at which `active_s` seconds of active time had passed."""
        t = active_s
        for start, end in self._pauses:
            if end is None or start >= t:
                break
            t += end - start
        return t

    def _gap_spans_cover(self, t_s: float) -> bool:
        return any(start <= t_s <= end + 2.0 for start, end in self._gap_spans[-1:])

    # -- metrics -------------------------------------------------------------------------
    def _active_window(self, since_active_s: float) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Beats (active t, rr, gap_before) with active time > since, paused beats dropped."""
        active = self._active.view()
        ok = np.isfinite(active)
        idx = np.nonzero(ok & (active > since_active_s))[0]
        if idx.size == 0:
            empty = frozen(())
            return empty, empty, _bool_frozen(())
        rr = self._rr.view()[idx]
        gaps = self._gap.view()[idx] > 0.5
        # A beat dropped from the middle (paused) also breaks the difference chain.
        jumps = np.diff(idx) > 1
        gaps[1:] |= jumps
        gaps[0] = False
        return frozen(active[idx]), frozen(rr), _bool_frozen(gaps)

    def rmssd_window(self, active_now_s: float) -> tuple[FloatArray, BoolArray]:
        """The RR values and gap flags the live RMSSD is computed from (for tests and checks)."""
        _, rr, gaps = self._active_window(active_now_s - RMSSD_WINDOW_S)
        return rr, gaps

    def coherence_window(self, at_active_s: float) -> FloatArray:
        """The gap-free RR run ending at moment `at_active_s` that its coherence comes from."""
        t, rr, gaps = self._active_window(at_active_s - REACH_S)
        keep = t <= at_active_s
        rr, gaps = rr[keep], gaps[keep]
        if rr.size == 0:
            return frozen(rr)
        gap_idx = np.nonzero(gaps[1:])[0]
        start = int(gap_idx[-1]) + 1 if gap_idx.size else 0
        return frozen(rr[start:])

    def _run_span_s(self, rr: FloatArray) -> float:
        return float(np.sum(rr)) / 1000.0

    def _compute_rmssd(self, active_now: float) -> LiveNumber:
        if self._first_active_beat_s is None:
            return LiveNumber(None, RMSSD_WINDOW_S)
        have_s = active_now - self._first_active_beat_s
        rr, gaps = self.rmssd_window(active_now)
        if have_s < RMSSD_WINDOW_S:
            return LiveNumber(None, max(0.0, RMSSD_WINDOW_S - have_s))
        if rr.size < MIN_RMSSD_BEATS:
            return LiveNumber(None, None, note="waiting for beats")
        value = self._analysis.rmssd_ms(rr, gaps)
        if value is None or not math.isfinite(value):
            return LiveNumber(None, None, note="too few clean beats")
        return LiveNumber(float(value))

    def _compute_swing(self, active_now: float) -> LiveNumber:
        if self._breath_starts is None:
            return LiveNumber(None, None, note="no pacer")
        starts = self._breath_starts(max(0.0, active_now - 120.0), active_now)
        swings: list[float] = []
        if starts.size >= 2:
            t, rr, gaps = self._active_window(float(starts[0]) - 1.0)
            flags = self._analysis.artifact_flags(rr) if rr.size else _bool_frozen(())
            hr = 60000.0 / rr if rr.size else rr
            # Newest complete breath first.
            for begin, end in zip(starts[-2::-1], starts[:0:-1], strict=True):
                inside = (t >= begin) & (t < end)
                if int(np.count_nonzero(inside)) < MIN_SWING_BEATS:
                    continue
                if np.any(gaps[inside]) or np.any(flags[inside]):
                    continue
                values = hr[inside]
                swings.append(float(values.max() - values.min()))
                if len(swings) == SWING_BREATHS:
                    break
        if not swings:
            nxt = self._breath_starts(active_now, active_now + 60.0)
            return LiveNumber(None, float(nxt[0] - active_now) if nxt.size else None)
        return LiveNumber(float(np.mean(swings)))

    def _tick_coherence(self, active_now: float) -> None:
        while active_now >= self._next_coherence_active_s:
            tick_at = self._next_coherence_active_s
            newest = self._newest_active_beat_s
            if newest is None or newest <= tick_at:
                return  # a beat up to this moment may still be on its way
            self._next_coherence_active_s += COHERENCE_EVERY_S
            if newest - tick_at > COHERENCE_CATCH_UP_S:
                continue  # far behind (no snapshots for a while): skip, never show stale
            t, rr, gaps = self._active_window(tick_at - REACH_S)
            result = self._analysis.coherence_at(t, rr, gaps, tick_at)
            if result is None:
                span = self._run_span_s(self.coherence_window(tick_at))
                self._coherence_ready_active_s = tick_at + max(0.0, COHERENCE_WINDOW_S - span)
                self._coherence_now = LiveNumber(None, None)
                continue
            self._coherence_ticks.append(
                CoherenceTick(
                    self.session_time(tick_at),
                    tick_at,
                    result.score,
                    result.ratio,
                    result.band,
                    self._t.total,
                )
            )
            self._coherence_now = LiveNumber(result.score, band=result.band)

    def _coherence_display(self, active_now: float) -> LiveNumber:
        if self._coherence_now.value is not None:
            return self._coherence_now
        to_tick = self._next_coherence_active_s - active_now
        ready = self._coherence_ready_active_s
        if ready is None:
            first = self._first_active_beat_s
            have = 0.0 if first is None else active_now - first
            ready = active_now + max(0.0, COHERENCE_WINDOW_S - have)
        left = max(to_tick, ready - active_now)
        # The number only appears on a 5 s tick: round up to the tick that will show it.
        ticks = math.ceil(max(0.0, left - to_tick) / COHERENCE_EVERY_S)
        return LiveNumber(None, max(0.0, to_tick + ticks * COHERENCE_EVERY_S))

    def _heart_rate(self, now_s: float) -> LiveNumber:
        if len(self._reading_t) and now_s - self._reading_t.newest() <= HR_READING_FRESH_S:
            return LiveNumber(self._reading_bpm.newest())
        if len(self._t) and now_s - self._t.newest() <= HR_READING_FRESH_S:
            rr = self._rr.view(5)
            return LiveNumber(60000.0 / float(np.mean(rr)))
        return COLLECTING_NOTHING

    def live_numbers(self, now_s: float) -> tuple[LiveNumber, LiveNumber, LiveNumber, LiveNumber]:
        """(heart rate, RMSSD, coherence, HR swing) at session time `now_s`."""
        active_now = self.active_time(now_s)
        if not self.paused:
            self._tick_coherence(active_now)
        # Recomputed when a beat arrives, a second passes (the countdowns) or a beat leaves the
        # RMSSD window (within a second, else the value would lag the window by up to that).
        in_window = int(np.count_nonzero(self._active.view() > active_now - RMSSD_WINDOW_S))
        key = (self._t.total, int(active_now), in_window)
        if self._cached is None or key != self._cache_key:
            self._cached = (self._compute_rmssd(active_now), self._compute_swing(active_now))
            self._cache_key = key
        rmssd, swing = self._cached
        coherence = self._coherence_display(active_now)
        if not self.has_rr:
            note = "needs RR data" if len(self._reading_t) else "no heart data"
            rmssd = LiveNumber(None, None, note=note)
            coherence = LiveNumber(None, None, note=note)
            swing = LiveNumber(None, None, note=note)
        return self._heart_rate(now_s), rmssd, coherence, swing

    @property
    def coherence_ticks(self) -> tuple[CoherenceTick, ...]:
        return tuple(self._coherence_ticks)

    # -- snapshot ------------------------------------------------------------------------
    def snapshot(self, now_s: float) -> LiveSnapshot:
        """Read-only copies of the plot window and the live numbers at session time `now_s`."""
        since = now_s - self.plot_window_s
        t = self._t.view()
        first = int(np.searchsorted(t, since, side="left"))
        n = len(t) - first
        beat_t = self._t.last(n)
        rr = self._rr.last(n)
        hr = frozen(60000.0 / rr) if n else rr
        gap = _bool_frozen(self._gap.view(n) > 0.5)
        rt = self._reading_t.view()
        r_first = int(np.searchsorted(rt, since, side="left"))
        rn = len(rt) - r_first
        wave_t, wave = self._wave(since, now_s)
        heart_rate, rmssd, coherence, swing = self.live_numbers(now_s)
        pauses = tuple(
            (start, now_s if end is None else end)
            for start, end in self._pauses
            if (now_s if end is None else end) >= since
        )
        gaps = [span for span in self._gap_spans if span[1] >= since]
        if self._link_down_since is not None:
            gaps.append((self._link_down_since, now_s))
        return LiveSnapshot(
            now_s=now_s,
            active_s=self.active_time(now_s),
            paused=self.paused,
            link_down_since_s=self._link_down_since,
            beat_t_s=beat_t,
            rr_ms=rr,
            hr_bpm=hr,
            gap_before=gap,
            reading_t_s=self._reading_t.last(rn),
            reading_bpm=self._reading_bpm.last(rn),
            wave_t_s=wave_t,
            wave=wave,
            gap_spans=tuple(gaps),
            pause_spans=pauses,
            heart_rate=heart_rate,
            rmssd=rmssd,
            coherence=coherence,
            hr_swing=swing,
            beats_total=self._t.total,
            coherence_ticks=tuple(self._coherence_ticks[-40:]),
        )

    def _wave(self, since_s: float, now_s: float) -> tuple[FloatArray, FloatArray]:
        if self._breathing_wave is None:
            empty = frozen(())
            return empty, empty
        start = max(0.0, since_s)
        step = 1.0 / self._wave_points_per_s
        # Align samples to a fixed grid so the wave does not shimmer from frame to frame.
        first = math.ceil(start / step) * step
        t_s = np.arange(first, now_s + step * 0.5, step, dtype=np.float64)
        if t_s.size == 0:
            return frozen(()), frozen(())
        active = t_s.copy()
        for p_start, p_end in self._pauses:
            end = now_s if p_end is None else p_end
            active -= np.clip(t_s - p_start, 0.0, end - p_start)
        wave = np.array(self._breathing_wave(active), dtype=np.float64, copy=True)
        for p_start, p_end in self._pauses:  # the pacer stands still while paused
            end = now_s if p_end is None else p_end
            wave[(t_s > p_start) & (t_s < end)] = np.nan
        return frozen(t_s), frozen(wave)
