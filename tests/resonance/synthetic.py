"""Synthetic assessment sessions whose resonance rate is known.

Each beat's RR follows the pacer of its step: `RR = mean + A(rate) * cos(2 pi c + lead)`, with c the
pacer's breath cycles at the middle of the interval. With lead = 0 the heart rate peaks when the
lungs are full (in step with the breath); a positive lead makes it peak earlier. The swing
A(rate) is a Gaussian around the resonance rate, the lead grows with the distance from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.breathing import BreathingPattern
from app.breathing.resonance import PROTOCOL_RATES_BPM, REST_S, STEP_S


@dataclass(frozen=True)
class SyntheticSession:
    t_ms: np.ndarray
    rr_ms: np.ndarray
    gap_before: np.ndarray
    steps: tuple[tuple[float, float, float], ...]  # (rate, start_s, end_s)


def amplitude_ms(rate_bpm: float, resonance_bpm: float) -> float:
    offset = (rate_bpm - resonance_bpm) / 0.7
    return 15.0 + 90.0 * math.exp(-0.5 * offset * offset)


def lead_rad(rate_bpm: float, resonance_bpm: float) -> float:
    return math.radians(35.0 * (resonance_bpm - rate_bpm))


def build_session(
    resonance_bpm: float,
    *,
    seed: int = 1,
    noise_ms: float = 8.0,
    ectopic_at_s: tuple[float, ...] = (),
    rates: tuple[float, ...] = PROTOCOL_RATES_BPM,
    step_s: float = STEP_S,
    rest_s: float = REST_S,
    mean_rr_ms: float = 880.0,
) -> SyntheticSession:
    """Beats of a whole assessment (steps and rests); rests breathe freely at 12/min."""
    rng = np.random.default_rng(seed)
    steps: list[tuple[float, float, float]] = []
    t = 5.0
    for rate in rates:
        steps.append((rate, t, t + step_s))
        t += step_s + rest_s
    end_s = steps[-1][2] + 2.0
    times: list[float] = []
    rrs: list[float] = []
    now = 0.0
    pending_ectopic = list(ectopic_at_s)
    compensate = False
    wander = 0.0
    while now < end_s:
        mid = now + mean_rr_ms / 2000.0
        active = [s for s in steps if s[1] <= mid < s[2]]
        if active:
            rate, start, _ = active[0]
            pattern = BreathingPattern(rate_bpm=rate)
            cycles = (mid - start) * rate / 60.0
            wave = amplitude_ms(rate, resonance_bpm) * math.cos(
                2 * math.pi * cycles + lead_rad(rate, resonance_bpm)
            )
            del pattern
        else:
            wave = 20.0 * math.cos(2 * math.pi * mid * 12.0 / 60.0)
        wander += -wander * 0.01 + 3.0 * float(rng.standard_normal())
        rr = mean_rr_ms + wave + wander + noise_ms * float(rng.standard_normal())
        if compensate:
            rr *= 1.4
            compensate = False
        elif pending_ectopic and now >= pending_ectopic[0]:
            pending_ectopic.pop(0)
            rr *= 0.6
            compensate = True
        now += rr / 1000.0
        times.append(now * 1000.0)
        rrs.append(rr)
    return SyntheticSession(
        t_ms=np.array(times),
        rr_ms=np.array(rrs),
        gap_before=np.zeros(len(rrs), dtype=bool),
        steps=tuple(steps),
    )
