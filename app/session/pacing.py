"""Adapters from a breathing pattern to what the live engine needs: breath starts and the wave."""

from __future__ import annotations

import numpy as np

from app.breathing import BreathingPattern, breathing_wave, cue_times
from app.session.live import BreathingWave, BreathStarts
from app.session.ring import FloatArray, frozen


def breath_starts_for(pattern: BreathingPattern) -> BreathStarts:
    """Inhale start times (active seconds) of `pattern` within [t0, t1]."""

    def starts(t0_s: float, t1_s: float) -> FloatArray:
        t0 = max(0.0, t0_s)
        t1 = max(t0, t1_s)
        # cue_times is half-open: nudge the end so a breath starting exactly at t1 is included.
        cues = cue_times(pattern, t0, t1 + 1e-9)
        return frozen([c.t_s for c in cues if c.phase == "inhale"])

    return starts


def wave_for(pattern: BreathingPattern) -> BreathingWave:
    """The pacer's breathing wave (0..1) of `pattern` at active times."""

    def wave(t_s: FloatArray) -> FloatArray:
        return frozen(breathing_wave(pattern, np.maximum(np.asarray(t_s), 0.0)))

    return wave
