"""Qt-free breathing pacer math: a pattern gives the phase, size and cues at any instant."""

from app.breathing.pacer import (
    PHASES,
    Cue,
    PacerState,
    Phase,
    breathing_wave,
    cue_times,
    pacer_state,
)
from app.breathing.pattern import RATIO_PRESETS, BreathingPattern
from app.breathing.session_timer import SessionTimer, TimerMark

__all__ = [
    "PHASES",
    "RATIO_PRESETS",
    "BreathingPattern",
    "Cue",
    "PacerState",
    "Phase",
    "SessionTimer",
    "TimerMark",
    "breathing_wave",
    "cue_times",
    "pacer_state",
]
