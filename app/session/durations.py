"""Lengths of time as people read them: on a clock (`12:05`) or in a sentence (`12 min 5 s`).

The one place these are written, for every page, dialog and command. Time that has passed is
rounded down (a clock never shows a second that has not passed); time left is rounded up (a
countdown shows 0:00 only when the time is up).
"""

from __future__ import annotations

import math

_EPSILON_S = 1e-9  # 59.999999999 s of float arithmetic is a minute


def _clock(whole: int) -> str:
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def elapsed_clock(seconds: float) -> str:
    """Time passed as `m:ss` (or `h:mm:ss`), rounded down to whole seconds."""
    return _clock(max(math.floor(seconds + _EPSILON_S), 0))


def countdown_clock(seconds: float) -> str:
    """Time left as `m:ss` (or `h:mm:ss`), rounded up to whole seconds."""
    return _clock(max(math.ceil(seconds - _EPSILON_S), 0))


def spoken_duration(seconds: float) -> str:
    """A length in words for sentences (`1 h 5 min`, `12 min 5 s`, `45 s`), rounded down."""
    whole = max(math.floor(seconds + _EPSILON_S), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes and secs:
        return f"{minutes} min {secs} s"
    return f"{minutes} min" if minutes else f"{secs} s"
