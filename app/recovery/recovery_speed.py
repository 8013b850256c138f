"""Recovery speed: how fast heart rate settles after a stressor or an effort, and its trend.

Method (Baseline's own, in plain steps; it describes heart rate, it is not a clinical test):

1. Heart rate series. A session's beats give HR = 60000 / RR at each beat time (beats flagged as
   artifacts are left out); a strap that sends no RR gives its HR readings (0 bpm and "no
   contact" readings are left out). The series is smoothed by a centred 5-second moving mean and
   sampled on a 1-second grid, which damps the breathing rhythm in heart rate (its period is
   4-10 s) so the slower settling shows.
2. Where recovery starts.
   - A tagged stressor or effort: a mark of kind `stressor` or `effort` at t (t = 0 for a tag
     on the whole session). Recovery starts at the highest smoothed HR within 60 s after the
     mark (the body may still be climbing when the user taps the tag).
   - An elevated start: when the mean HR of the first 10 s is more than 10 bpm above the user's
     resting baseline (the resting heart-rate table's 7-day baseline on the session's day or the
     last day before it that has one), recovery starts at the highest smoothed HR in the first 30 s.
     Without a resting baseline this trigger is not used.
   An episode runs until the next trigger mark, the end of the data, or 180 s, whichever is first.
3. What is measured, with t counted from the recovery start.
   - `drop_60s_bpm`: smoothed HR at the start minus smoothed HR 60 s later (HRR60-style); null
     when the data stop before 60 s.
   - `tau_s`: the time constant of HR(t) = HR_end + (HR_0 - HR_end) * exp(-t / tau), fitted to the
     smoothed 1-second series by least squares (bounded: HR_0 and HR_end 0-400 bpm, tau 1-1000 s;
     `fit_exponential` explains how).
     Smaller tau = settles faster. `tau_s` is null, with the reason in `fit_note`, when the fit is
     poor: fewer than 60 s of data; a fitted fall (HR_0 - HR_end) under 5 bpm (nothing to settle);
     R² under 0.7 on the smoothed series; or tau above half the episode length (the curve had not
     settled inside the data, so HR_end would be a guess); or the fit does not converge.
4. Trend. `weekly_summary` gives the median tau and drop per ISO week (Monday first);
   `compare_with_month_ago` compares the median tau of the last 14 days with the median tau of
   days 28-41 before (both need at least 3 fitted episodes): 10% or more shorter reads "settles
   faster than a month ago", 10% or more longer "took a little longer", else "about as quickly".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

TRIGGER_STRESSOR = "stressor"
TRIGGER_EFFORT = "effort"
TRIGGER_ELEVATED_START = "elevated_start"
TRIGGER_MARK_KINDS = (TRIGGER_STRESSOR, TRIGGER_EFFORT)

SMOOTHING_S = 5.0
GRID_STEP_S = 1.0
PEAK_SEARCH_AFTER_MARK_S = 60.0
ELEVATED_MARGIN_BPM = 10.0
ELEVATED_CHECK_S = 10.0
PEAK_SEARCH_AT_START_S = 30.0
EPISODE_MAX_S = 180.0
MIN_EPISODE_S = 60.0
MIN_FALL_BPM = 5.0
MIN_R_SQUARED = 0.7
MAX_TAU_FRACTION = 0.5
TAU_BOUNDS_S = (1.0, 1000.0)
HR_BOUNDS_BPM = (0.0, 400.0)
#: Log-spaced time constants tried before the golden-section refinement (ratio 1.075 apart).
TAU_GRID_POINTS = 97
#: The refinement stops when the bracket on ln(tau) is this narrow (tau to ~1e-9, relative).
LOG_TAU_TOLERANCE = 1e-9
DROP_AFTER_S = 60.0
#: Bumped when the method changes, so cached episodes are recomputed.
RECOVERY_METHOD_VERSION = "recovery-1"

COMPARE_RECENT_DAYS = 14
COMPARE_EARLIER_FROM_DAYS = 28  # days 28..41 before today
COMPARE_MIN_FITS = 3
COMPARE_CHANGE = 0.10


@dataclass(frozen=True, slots=True)
class HeartRateSeries:
    """Heart rate over a session: times in seconds from the start, bpm, both read-only."""

    t_s: FloatArray
    bpm: FloatArray

    @staticmethod
    def of(t_s: Sequence[float] | FloatArray, bpm: Sequence[float] | FloatArray) -> HeartRateSeries:
        t = np.asarray(t_s, dtype=np.float64)
        hr = np.asarray(bpm, dtype=np.float64)
        if t.shape != hr.shape or t.ndim != 1:
            raise ValueError("t_s and bpm must be 1-D arrays of the same length")
        keep = np.isfinite(t) & np.isfinite(hr) & (hr > 0)
        order = np.argsort(t[keep], kind="stable")
        t, hr = t[keep][order], hr[keep][order]
        t.setflags(write=False)
        hr.setflags(write=False)
        return HeartRateSeries(t, hr)


@dataclass(frozen=True, slots=True)
class ExponentialFit:
    """HR(t) = hr_end_bpm + (hr_0_bpm - hr_end_bpm) * exp(-t / tau_s)."""

    hr_0_bpm: float
    hr_end_bpm: float
    tau_s: float
    r_squared: float


@dataclass(frozen=True, slots=True)
class RecoveryEpisode:
    """One measured recovery; `tau_s` is None when the fit was poor (reason in `fit_note`)."""

    trigger: str
    start_s: float
    duration_s: float
    hr_start_bpm: float
    drop_60s_bpm: float | None
    tau_s: float | None
    r_squared: float | None
    hr_end_bpm: float | None
    fit_note: str | None = None


def smoothed_grid(series: HeartRateSeries) -> tuple[FloatArray, FloatArray]:
    """The centred moving mean (SMOOTHING_S wide) on a 1-second grid over the series' span.

    Grid points with no sample within the window are NaN. Linear time (cumulative sums).
    """
    t, hr = series.t_s, series.bpm
    if t.size == 0:
        empty = np.empty(0, dtype=np.float64)
        return empty, empty
    grid = np.arange(math.ceil(t[0]), math.floor(t[-1]) + GRID_STEP_S / 2, GRID_STEP_S)
    half = SMOOTHING_S / 2.0
    lo = np.searchsorted(t, grid - half, side="left")
    hi = np.searchsorted(t, grid + half, side="right")
    csum = np.concatenate([[0.0], np.cumsum(hr)])
    count = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)
    return grid.astype(np.float64), mean


def _decay(t: FloatArray, hr_end: float, hr_0: float, tau: float) -> FloatArray:
    return hr_end + (hr_0 - hr_end) * np.exp(-t / tau)


def _amplitudes(
    tau_s: FloatArray, t: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For each tau: the least-squares (hr_end, hr_0) within HR_BOUNDS_BPM, and the residual sum.

    For a fixed tau the model hr_end * (1 - e) + hr_0 * e, e = exp(-t / tau), is linear. The
    unbounded solution is taken when it lies in the box; otherwise the optimum of this convex
    problem lies on an edge of the box, where one value is at a bound and the other is the
    clamped 1-D least-squares solution: the best of the four edges is taken.
    """
    lo, hi = HR_BOUNDS_BPM
    e = np.exp(-t[None, :] / tau_s[:, None])
    mean_e = e.mean(axis=1)
    centred_e = e - mean_e[:, None]
    fall = (centred_e @ (y - y.mean())) / np.einsum("ij,ij->i", centred_e, centred_e)
    hr_end = y.mean() - fall * mean_e
    hr_0 = hr_end + fall
    sse = np.sum((y - hr_end[:, None] - fall[:, None] * e) ** 2, axis=1)
    outside = np.flatnonzero((np.minimum(hr_end, hr_0) < lo) | (np.maximum(hr_end, hr_0) > hi))
    if outside.size:
        edge_end, edge_0, edge_sse = _on_box_edges(e[outside], y)
        hr_end[outside], hr_0[outside], sse[outside] = edge_end, edge_0, edge_sse
    return hr_end, hr_0, sse


def _on_box_edges(e: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The best (hr_end, hr_0) on the edges of the HR_BOUNDS_BPM box, per row of e."""
    lo, hi = HR_BOUNDS_BPM
    f = 1.0 - e
    ee = np.einsum("ij,ij->i", e, e)
    ff = np.einsum("ij,ij->i", f, f)
    fe = np.einsum("ij,ij->i", f, e)
    best_sse = np.full(e.shape[0], np.inf)
    best_end = np.zeros(e.shape[0])
    best_0 = np.zeros(e.shape[0])
    for bound in (lo, hi):
        fixed = np.full(e.shape[0], bound)
        rise = np.clip(bound + (e @ y - bound * e.sum(axis=1)) / ee, lo, hi)
        level = np.clip((f @ y - bound * fe) / ff, lo, hi)
        for end, start in ((fixed, rise), (level, fixed)):
            sse = np.sum((y - end[:, None] * f - start[:, None] * e) ** 2, axis=1)
            better = sse < best_sse
            best_sse = np.where(better, sse, best_sse)
            best_end = np.where(better, end, best_end)
            best_0 = np.where(better, start, best_0)
    return best_end, best_0, best_sse


def _best_tau(t: FloatArray, y: FloatArray) -> float:
    """The tau in TAU_BOUNDS_S with the smallest residual sum (profiled over the amplitudes).

    A log-spaced grid finds the best neighbourhood (so a far-off local minimum cannot capture
    the search), then golden-section search on ln(tau) narrows the bracket around it.
    """
    log_lo, log_hi = math.log(TAU_BOUNDS_S[0]), math.log(TAU_BOUNDS_S[1])
    log_grid = np.linspace(log_lo, log_hi, TAU_GRID_POINTS)
    sse_grid = _amplitudes(np.exp(log_grid), t, y)[2]
    best = int(np.argmin(sse_grid))
    a = float(log_grid[max(best - 1, 0)])
    b = float(log_grid[min(best + 1, TAU_GRID_POINTS - 1)])

    def sse(log_tau: float) -> float:
        return float(_amplitudes(np.array([math.exp(log_tau)]), t, y)[2][0])

    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = sse(c), sse(d)
    while b - a > LOG_TAU_TOLERANCE:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = sse(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = sse(d)
    candidates = [(float(sse_grid[best]), float(log_grid[best])), (fc, c), (fd, d)]
    return math.exp(min(candidates)[1])


def fit_exponential(t_s: FloatArray, bpm: FloatArray) -> ExponentialFit | str:
    """Least-squares fit of the decay (t from 0); a plain reason string when it fails.

    Bounded like the method says (HR_0 and HR_end in 0-400 bpm, tau in 1-1000 s). For a fixed
    tau the best HR_0 and HR_end follow in closed form (`_amplitudes`); tau is found by a 1-D
    search over the bounds (`_best_tau`), so the result does not depend on a starting guess.
    """
    ok = np.isfinite(bpm)
    t, y = t_s[ok], bpm[ok]
    if t.size < 10 or t[-1] - t[0] < MIN_EPISODE_S - GRID_STEP_S:
        return "too little data after the start for a curve"
    t = t - t[0]
    tau = _best_tau(t, y)
    ends, starts, _ = _amplitudes(np.array([tau]), t, y)
    hr_end, hr_0 = float(ends[0]), float(starts[0])
    if not all(math.isfinite(value) for value in (hr_end, hr_0, tau)):
        return "the curve fit did not converge"
    resid = y - _decay(t, hr_end, hr_0, tau)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else 0.0
    return ExponentialFit(hr_0_bpm=hr_0, hr_end_bpm=hr_end, tau_s=tau, r_squared=r2)


def _judge(fit: ExponentialFit, duration_s: float) -> str | None:
    if fit.hr_0_bpm - fit.hr_end_bpm < MIN_FALL_BPM:
        return f"heart rate fell less than {MIN_FALL_BPM:g} bpm: nothing to settle"
    if fit.r_squared < MIN_R_SQUARED:
        return f"the curve fits poorly (R² {fit.r_squared:.2f} < {MIN_R_SQUARED})"
    if fit.tau_s > MAX_TAU_FRACTION * duration_s:
        return "heart rate had not settled within the data"
    return None


def measure_episode(
    series: HeartRateSeries, start_s: float, end_s: float, trigger: str
) -> RecoveryEpisode | None:
    """Drop and time constant of one recovery starting at `start_s` (None without data there)."""
    grid, smooth = smoothed_grid(series)
    inside = (grid >= start_s) & (grid <= min(end_s, start_s + EPISODE_MAX_S)) & np.isfinite(smooth)
    t, y = grid[inside], smooth[inside]
    if t.size == 0:
        return None
    duration = float(t[-1] - t[0])
    hr_start = float(y[0])
    at_60 = np.flatnonzero(np.abs(t - (t[0] + DROP_AFTER_S)) < GRID_STEP_S / 2)
    drop = hr_start - float(y[at_60[0]]) if at_60.size else None
    fit = fit_exponential(t, y)
    if isinstance(fit, str):
        return RecoveryEpisode(
            trigger, float(t[0]), duration, hr_start, drop, None, None, None, fit
        )
    note = _judge(fit, duration)
    return RecoveryEpisode(
        trigger=trigger,
        start_s=float(t[0]),
        duration_s=duration,
        hr_start_bpm=hr_start,
        drop_60s_bpm=drop,
        tau_s=None if note else fit.tau_s,
        r_squared=fit.r_squared,
        hr_end_bpm=None if note else fit.hr_end_bpm,
        fit_note=note,
    )


def _peak_time(grid: FloatArray, smooth: FloatArray, lo_s: float, hi_s: float) -> float | None:
    inside = (grid >= lo_s) & (grid <= hi_s) & np.isfinite(smooth)
    if not inside.any():
        return None
    idx = np.flatnonzero(inside)
    return float(grid[idx[int(np.argmax(smooth[idx]))]])


def recovery_episodes(
    series: HeartRateSeries,
    marks: Iterable[tuple[float, str]] = (),
    resting_bpm: float | None = None,
) -> tuple[RecoveryEpisode, ...]:
    """Every recovery episode of a session (method in the module docstring).

    `marks` are (t_s, kind) pairs; only kinds `stressor` and `effort` start an episode.
    """
    if series.t_s.size == 0:
        return ()
    grid, smooth = smoothed_grid(series)
    end_of_data = float(series.t_s[-1])
    triggers = sorted((float(t), k) for t, k in marks if k in TRIGGER_MARK_KINDS)
    starts: list[tuple[float, str, float]] = []  # (start, trigger, limit)
    first_mark = triggers[0][0] if triggers else end_of_data
    if resting_bpm is not None:
        early = series.t_s <= series.t_s[0] + ELEVATED_CHECK_S
        if float(series.bpm[early].mean()) > resting_bpm + ELEVATED_MARGIN_BPM:
            peak = _peak_time(grid, smooth, grid[0], grid[0] + PEAK_SEARCH_AT_START_S)
            if peak is not None and peak < first_mark:
                starts.append((peak, TRIGGER_ELEVATED_START, first_mark))
    for i, (t_mark, kind) in enumerate(triggers):
        limit = triggers[i + 1][0] if i + 1 < len(triggers) else end_of_data
        peak = _peak_time(grid, smooth, t_mark, min(t_mark + PEAK_SEARCH_AFTER_MARK_S, limit))
        if peak is not None:
            starts.append((peak, kind, limit))
    episodes = []
    for start, trigger, limit in starts:
        episode = measure_episode(series, start, limit, trigger)
        if episode is not None:
            episodes.append(episode)
    return tuple(episodes)


# -- trend over weeks -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RecoveryPoint:
    """One episode placed on the calendar, for the trend."""

    day: date
    tau_s: float | None
    drop_60s_bpm: float | None


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """Median time constant and drop of one ISO week (Monday first)."""

    week_start: date
    n_episodes: int
    n_fitted: int
    median_tau_s: float | None
    median_drop_60s_bpm: float | None


class Direction(Enum):
    FASTER = "faster"
    SIMILAR = "similar"
    SLOWER = "slower"


@dataclass(frozen=True, slots=True)
class RecoveryComparison:
    """Recent recovery speed against a month ago, with a plain sentence."""

    recent_median_tau_s: float | None
    earlier_median_tau_s: float | None
    n_recent: int
    n_earlier: int
    direction: Direction | None
    text: str


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def weekly_summary(points: Iterable[RecoveryPoint]) -> tuple[WeekSummary, ...]:
    """Per-week medians, oldest week first; weeks without episodes are left out."""
    weeks: dict[date, list[RecoveryPoint]] = {}
    for p in points:
        weeks.setdefault(p.day - timedelta(days=p.day.weekday()), []).append(p)
    out = []
    for start in sorted(weeks):
        taus = [p.tau_s for p in weeks[start] if p.tau_s is not None]
        drops = [p.drop_60s_bpm for p in weeks[start] if p.drop_60s_bpm is not None]
        out.append(WeekSummary(start, len(weeks[start]), len(taus), _median(taus), _median(drops)))
    return tuple(out)


def compare_with_month_ago(points: Iterable[RecoveryPoint], today: date) -> RecoveryComparison:
    """Median tau of the last 14 days against days 28-41 before `today` (module docstring)."""
    recent_from = today - timedelta(days=COMPARE_RECENT_DAYS - 1)
    earlier_to = today - timedelta(days=COMPARE_EARLIER_FROM_DAYS)
    earlier_from = earlier_to - timedelta(days=COMPARE_RECENT_DAYS - 1)
    recent: list[float] = []
    earlier: list[float] = []
    for p in points:
        if p.tau_s is None:
            continue
        if recent_from <= p.day <= today:
            recent.append(p.tau_s)
        elif earlier_from <= p.day <= earlier_to:
            earlier.append(p.tau_s)
    r, e = _median(recent), _median(earlier)
    if r is None or e is None or len(recent) < COMPARE_MIN_FITS or len(earlier) < COMPARE_MIN_FITS:
        return RecoveryComparison(
            r,
            e,
            len(recent),
            len(earlier),
            None,
            "Not enough measured recoveries yet to compare with a month ago.",
        )
    if r <= (1.0 - COMPARE_CHANGE) * e:
        direction, text = Direction.FASTER, "Your body settles faster than a month ago."
    elif r >= (1.0 + COMPARE_CHANGE) * e:
        direction = Direction.SLOWER
        text = "Settling took a little longer than a month ago: rest is not weakness, go gently."
    else:
        direction, text = Direction.SIMILAR, "Your body settles about as quickly as a month ago."
    return RecoveryComparison(r, e, len(recent), len(earlier), direction, text)
