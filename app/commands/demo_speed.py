"""`$BASELINE_DEMO_SPEED`: how fast the demo strap runs (the tests run it faster than real time).

Read by `record` and by the desktop app; kept apart so the app reads it without importing the
command's modules.
"""

from __future__ import annotations

import math
import os

from app.commands.errors import CommandError

DEMO_SPEED_ENV = "BASELINE_DEMO_SPEED"


def demo_speed() -> float:
    """The demo strap's speed from `$BASELINE_DEMO_SPEED` (default 1: real time)."""
    text = os.environ.get(DEMO_SPEED_ENV, "").strip()
    if not text:
        return 1.0
    try:
        speed = float(text)
    except ValueError:
        speed = math.nan
    if not math.isfinite(speed) or speed <= 0:
        raise CommandError(f"{DEMO_SPEED_ENV} must be a positive number, not {text!r}")
    return speed
