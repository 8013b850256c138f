"""Pacer math: where in the breath a pattern is at time t, when each phase starts, and the wave.

Time `t_s` counts seconds of active breathing from the start of the session (the caller leaves
pauses out). The breath phase in cycles is the integral of the instantaneous rate over time, so a
ramp changes the speed of the breath but never makes the phase jump. Within breath k (the cycle
between phase k and k + 1) the four phases follow each other: inhale, hold_in, exhale, hold_out;
holds of 0 s are skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

from app.breathing.pattern import BreathingPattern

Phase = Literal["inhale", "hold_in", "exhale", "hold_out"]
PHASES: tuple[Phase, ...] = ("inhale", "hold_in", "exhale", "hold_out")
FloatArray = npt.NDArray[np.float64]
Rate = TypeVar("Rate", float, FloatArray)

# Instants within this many cycles before a phase boundary count as on it (floating-point rounding):
# 1e-9 cycles is 10 ns at 6 breaths/min, so cue_times() and pacer_state() agree on boundaries.
_SNAP_CYCLES = 1e-9
_NEWTON_STEPS = 60


@dataclass(frozen=True, slots=True)
class PacerState:
    """The pacer at one instant.

    Attributes:
        phase: "inhale", "hold_in", "exhale" or "hold_out".
        phase_fraction: how far through the current phase, 0 (start) .. 1 (end).
        size: lung fill 0 (empty) .. 1 (full), cosine-eased so the motion starts and stops softly.
        seconds_left_in_phase: time until the next phase starts.
        breath_index: which breath (0 = the first).
        current_rate_bpm: the instantaneous rate (differs from the target only during a ramp).
    """

    phase: Phase
    phase_fraction: float
    size: float
    seconds_left_in_phase: float
    breath_index: int
    current_rate_bpm: float


@dataclass(frozen=True, slots=True)
class Cue:
    """A phase start: the moment a sound cue plays."""

    t_s: float
    phase: Phase
    breath_index: int


def _check_time(name: str, t_s: float) -> float:
    if isinstance(t_s, bool) or not isinstance(t_s, int | float):
        raise ValueError(f"{name} must be a number of seconds, got {t_s!r}")
    value = float(t_s)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"{name} must be a finite time >= 0 s, got {t_s!r}")
    return value


class _Timeline:
    """Rate, cumulative cycles and their inverse for one pattern (works on floats and arrays)."""

    def __init__(self, pattern: BreathingPattern) -> None:
        self.target_bpm = float(pattern.rate_bpm)
        if pattern.has_ramp:
            assert pattern.start_rate_bpm is not None
            self.start_bpm = float(pattern.start_rate_bpm)
            self.ramp_s = float(pattern.ramp_duration_s)
        else:
            self.start_bpm = self.target_bpm
            self.ramp_s = 0.0
        # Cycles done by the end of the ramp: the mean of start and target rate times its length.
        self.ramp_cycles = (self.start_bpm + self.target_bpm) * self.ramp_s / 120.0

    def rate_bpm(self, t_s: FloatArray) -> FloatArray:
        if self.ramp_s == 0.0:
            return np.full_like(t_s, self.target_bpm)
        x = np.clip(t_s / self.ramp_s, 0.0, 1.0)
        ease = 0.5 * (1.0 + np.cos(np.pi * x))  # 1 at the start, 0 at the end of the ramp
        out: FloatArray = self.target_bpm + (self.start_bpm - self.target_bpm) * ease
        return out

    def cycles(self, t_s: FloatArray) -> FloatArray:
        """Breath cycles completed by t: the integral of rate / 60 from 0 to t."""
        steady: FloatArray = self.ramp_cycles + self.target_bpm * (t_s - self.ramp_s) / 60.0
        if self.ramp_s == 0.0:
            return steady
        tr = np.minimum(t_s, self.ramp_s)
        delta = self.start_bpm - self.target_bpm
        in_ramp = (
            self.target_bpm * tr
            + 0.5 * delta * (tr + self.ramp_s / np.pi * np.sin(np.pi * tr / self.ramp_s))
        ) / 60.0
        out: FloatArray = np.where(t_s < self.ramp_s, in_ramp, steady)
        return out

    def time_at(self, cycles: FloatArray) -> FloatArray:
        """Inverse of `cycles`: the time at which the given number of cycles is completed."""
        steady: FloatArray = self.ramp_s + 60.0 * (cycles - self.ramp_cycles) / self.target_bpm
        if self.ramp_s == 0.0:
            return steady
        # Safeguarded Newton on [0, ramp_s]: cycles(t) is smooth and strictly increasing.
        lo = np.zeros_like(cycles)
        hi = np.full_like(cycles, self.ramp_s)
        t = np.clip(120.0 * cycles / (self.start_bpm + self.target_bpm), 0.0, self.ramp_s)
        for _ in range(_NEWTON_STEPS):
            err = self.cycles(t) - cycles
            lo = np.where(err < 0.0, t, lo)
            hi = np.where(err > 0.0, t, hi)
            step = t - err * 60.0 / self.rate_bpm(t)
            bisect = 0.5 * (lo + hi)
            t_next = np.where((step > lo) & (step < hi), step, bisect)
            done = np.all(np.abs(t_next - t) <= 4.0 * np.finfo(np.float64).eps * self.ramp_s)
            t = t_next
            if done:
                break
        t = np.where(cycles <= 0.0, 0.0, t)
        out: FloatArray = np.where(cycles < self.ramp_cycles, t, steady)
        return out


def _boundaries(pattern: BreathingPattern, rate_bpm: Rate) -> tuple[Rate, Rate, Rate]:
    """Where hold_in, exhale and hold_out start, as fractions of a cycle at the given rate.

    Returns (end of inhale, end of hold_in, end of exhale); the cycle ends at 1.
    """
    cycle_s = 60.0 / rate_bpm
    hold_in = pattern.hold_after_inhale_s / cycle_s
    hold_out = pattern.hold_after_exhale_s / cycle_s
    breathing = 1.0 - hold_in - hold_out
    inhale = breathing * pattern.inhale_ratio / (pattern.inhale_ratio + pattern.exhale_ratio)
    exhale = breathing - inhale
    end_inhale = inhale
    end_hold_in = inhale + hold_in
    end_exhale = end_hold_in + exhale
    return end_inhale, end_hold_in, end_exhale


def _snap(cycles: FloatArray, boundaries: FloatArray) -> FloatArray:
    """Move values a rounding error short of a boundary onto it."""
    close = (boundaries - cycles > 0.0) & (boundaries - cycles < _SNAP_CYCLES)
    out: FloatArray = np.where(close, boundaries, cycles)
    return out


def _snap_one(cycles: float, boundary: float) -> float:
    """`_snap` for one value."""
    return boundary if 0.0 < boundary - cycles < _SNAP_CYCLES else cycles


# -- One instant after the ramp, in plain floats --------------------------------------------------
# A pacer frame asks for one instant 60 times a second; NumPy's per-call overhead on one-element
# arrays was most of that frame's Python time. Once the breath in question began after any ramp,
# the rate is the target and every step above is linear: the functions below do the same
# operations in the same order on floats (so they give the same values, bit for bit; a property
# test holds them to it) and return None for the instants they do not cover.


def _steady_cycles(timeline: _Timeline, t_s: float) -> float:
    return timeline.ramp_cycles + timeline.target_bpm * (t_s - timeline.ramp_s) / 60.0


def _steady_time_at(timeline: _Timeline, cycles: float) -> float:
    return timeline.ramp_s + 60.0 * (cycles - timeline.ramp_cycles) / timeline.target_bpm


def _steady_state(pattern: BreathingPattern, timeline: _Timeline, t: float) -> PacerState | None:
    if t < timeline.ramp_s:
        return None
    cycles = _steady_cycles(timeline, t)
    cycles = _snap_one(cycles, float(math.floor(cycles)) + 1.0)
    index = float(math.floor(cycles))
    if index < timeline.ramp_cycles:  # the breath began during the ramp
        return None
    b1, b2, b3 = _boundaries(pattern, timeline.target_bpm)
    frac = cycles - index
    for b in (b1, b2, b3):
        frac = _snap_one(frac, b)
    return _state_in_breath(pattern, timeline, t, index, frac, (b1, b2, b3), timeline.target_bpm)


def _steady_cues(
    pattern: BreathingPattern, timeline: _Timeline, t0: float, t1: float
) -> tuple[Cue, ...] | None:
    if t0 < timeline.ramp_s:
        return None
    first = math.floor(_steady_cycles(timeline, t0))
    last = math.floor(_steady_cycles(timeline, t1))
    start = max(first - 1, 0)
    if start < timeline.ramp_cycles:
        return None
    b1, b2, b3 = _boundaries(pattern, timeline.target_bpm)
    offsets = (0.0, b1, b2, b3)
    skip = (False, pattern.hold_after_inhale_s == 0.0, False, pattern.hold_after_exhale_s == 0.0)
    cues: list[Cue] = []
    for k in range(start, last + 1):
        for phase, offset, skipped in zip(PHASES, offsets, skip, strict=True):
            if skipped:
                continue
            # As the array path: a breath's start is time_at(k), the other phases time_at(k + b).
            t = _steady_time_at(timeline, float(k) if offset == 0.0 else float(k) + offset)
            if t0 <= t < t1:
                cues.append(Cue(t_s=t, phase=phase, breath_index=k))
    return tuple(cues)


def _breath_geometry(
    pattern: BreathingPattern, timeline: _Timeline, t_s: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """For each t: breath index, fraction into its cycle, the cycle's three inner boundaries and the
    rate at the breath's start."""
    cycles = timeline.cycles(t_s)
    cycles = _snap(cycles, np.floor(cycles) + 1.0)
    index = np.floor(cycles)
    rate_at_start = timeline.rate_bpm(timeline.time_at(index))
    b1, b2, b3 = _boundaries(pattern, rate_at_start)
    frac = cycles - index
    for b in (b1, b2, b3):
        frac = _snap(frac, b)
    return index, frac, b1, b2, b3, rate_at_start


def pacer_state(pattern: BreathingPattern, t_s: float) -> PacerState:
    """The pacer at `t_s` seconds of active breathing (>= 0)."""
    t = _check_time("t_s", t_s)
    timeline = _Timeline(pattern)
    steady = _steady_state(pattern, timeline, t)
    return steady if steady is not None else _array_state(pattern, timeline, t)


def _array_state(pattern: BreathingPattern, timeline: _Timeline, t: float) -> PacerState:
    """`pacer_state` through the array functions: any instant, ramp or not."""
    t_arr = np.array([t])
    index_a, frac_a, b1_a, b2_a, b3_a, _ = _breath_geometry(pattern, timeline, t_arr)
    bounds = (float(b1_a[0]), float(b2_a[0]), float(b3_a[0]))
    rate_bpm = float(timeline.rate_bpm(t_arr)[0])
    return _state_in_breath(
        pattern, timeline, t, float(index_a[0]), float(frac_a[0]), bounds, rate_bpm
    )


def _state_in_breath(
    pattern: BreathingPattern,
    timeline: _Timeline,
    t: float,
    index: float,
    frac: float,
    bounds: tuple[float, float, float],
    rate_bpm: float,
) -> PacerState:
    """The state `frac` of the way through breath `index` (whose phases end at `bounds`)."""
    b1, b2, b3 = bounds
    if frac < b1:
        phase: Phase = "inhale"
        start, end = 0.0, b1
    elif frac < b2:
        phase, start, end = "hold_in", b1, b2
    elif frac < b3:
        phase, start, end = "exhale", b2, b3
    else:
        phase, start, end = "hold_out", b3, 1.0
    fraction = min(max((frac - start) / (end - start), 0.0), 1.0)
    if phase == "inhale":
        size = 0.5 * (1.0 - math.cos(math.pi * fraction))
    elif phase == "exhale":
        size = 0.5 * (1.0 + math.cos(math.pi * fraction))
    else:
        size = 1.0 if phase == "hold_in" else 0.0
    if index + end >= timeline.ramp_cycles:
        end_t = _steady_time_at(timeline, index + end)
    else:
        end_t = float(timeline.time_at(np.array([index + end]))[0])
    return PacerState(
        phase=phase,
        phase_fraction=fraction,
        size=size,
        seconds_left_in_phase=max(end_t - t, 0.0),
        breath_index=int(index),
        current_rate_bpm=rate_bpm,
    )


def cue_times(pattern: BreathingPattern, t0_s: float, t1_s: float) -> tuple[Cue, ...]:
    """Every phase start in [t0_s, t1_s), in time order. Holds of 0 s have no cue."""
    t0 = _check_time("t0_s", t0_s)
    t1 = _check_time("t1_s", t1_s)
    if t1 < t0:
        raise ValueError(f"t1_s ({t1:g}) must not be before t0_s ({t0:g})")
    if t1 == t0:
        return ()
    timeline = _Timeline(pattern)
    steady = _steady_cues(pattern, timeline, t0, t1)
    return steady if steady is not None else _array_cues(pattern, timeline, t0, t1)


def _array_cues(
    pattern: BreathingPattern, timeline: _Timeline, t0: float, t1: float
) -> tuple[Cue, ...]:
    """`cue_times` through the array functions: any span, ramp or not."""
    first = math.floor(float(timeline.cycles(np.array([t0]))[0]))
    last = math.floor(float(timeline.cycles(np.array([t1]))[0]))
    indices = np.arange(max(first - 1, 0), last + 1, dtype=np.float64)
    starts = timeline.time_at(indices)
    b1, b2, b3 = _boundaries(pattern, timeline.rate_bpm(starts))
    cues: list[Cue] = []
    offsets = (np.zeros_like(b1), b1, b2, b3)
    skip = {
        "hold_in": pattern.hold_after_inhale_s == 0.0,
        "hold_out": pattern.hold_after_exhale_s == 0.0,
    }
    times = [starts] + [timeline.time_at(indices + off) for off in offsets[1:]]
    for i, k in enumerate(indices):
        for phase, phase_times in zip(PHASES, times, strict=True):
            if skip.get(phase, False):
                continue
            t = float(phase_times[i])
            if t0 <= t < t1:
                cues.append(Cue(t_s=t, phase=phase, breath_index=int(k)))
    return tuple(cues)


def breathing_wave(pattern: BreathingPattern, t_s: npt.ArrayLike) -> FloatArray:
    """Pacer size (0..1) at each time in `t_s` (seconds >= 0): a read-only array of that shape."""
    t = np.asarray(t_s, dtype=np.float64)
    if t.size and (not np.all(np.isfinite(t)) or np.min(t) < 0.0):
        raise ValueError("breathing_wave needs finite times >= 0 s")
    timeline = _Timeline(pattern)
    flat = t.reshape(-1)
    _, frac, b1, b2, b3, _ = _breath_geometry(pattern, timeline, flat)
    with np.errstate(divide="ignore", invalid="ignore"):
        u_in = np.clip(frac / b1, 0.0, 1.0)
        u_ex = np.clip((frac - b2) / (b3 - b2), 0.0, 1.0)
    size = np.select(
        [frac < b1, frac < b2, frac < b3],
        [
            0.5 * (1.0 - np.cos(np.pi * u_in)),
            np.ones_like(frac),
            0.5 * (1.0 + np.cos(np.pi * u_ex)),
        ],
        default=0.0,
    ).reshape(t.shape)
    size.setflags(write=False)
    out: FloatArray = size
    return out
