"""Qt-free breathing pacer math: a pattern gives the phase, size and cues at any instant.

The pacer's names (`app.breathing.pacer`, which needs NumPy) are imported when first used, so
that reading a breathing pattern from the settings does not import NumPy.
"""

from typing import TYPE_CHECKING, Any

from app.breathing.pattern import RATIO_PRESETS, BreathingPattern
from app.breathing.session_timer import SessionTimer, TimerMark

if TYPE_CHECKING:
    from app.breathing.pacer import (
        PHASES,
        Cue,
        PacerState,
        Phase,
        breathing_wave,
        cue_times,
        pacer_state,
    )

_PACER_NAMES = frozenset(
    {"PHASES", "Cue", "PacerState", "Phase", "breathing_wave", "cue_times", "pacer_state"}
)

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


def __getattr__(name: str) -> Any:
    if name in _PACER_NAMES:
        from app.breathing import pacer

        return getattr(pacer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
