"""How the demo strap's person breathes (`--demo-breathing follow|RATE|ignore`).

Kept apart from the demo strap itself (`sensors.simulated`), which needs NumPy: the command
line reads this before the app starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

#: The fixed rates a demo person can be told to breathe at (breaths/min).
DEMO_RATE_RANGE_PER_MIN = (3.0, 30.0)


class DemoBreathingMode(StrEnum):
    """How the demo person breathes."""

    FOLLOW = "follow"  # with the pacer (the rate and breath the strap is given)
    FIXED = "fixed"  # at one rate, whatever the pacer does
    IGNORE = "ignore"  # irregularly, paying the pacer no attention


@dataclass(frozen=True)
class DemoBreathing:
    """What the demo strap's person breathes; `rate_per_min` only with `FIXED`.

    Written and read as `follow`, `ignore` or a rate such as `12` or `4.5` (`parse`, `spec`).
    """

    mode: DemoBreathingMode = DemoBreathingMode.FOLLOW
    rate_per_min: float | None = None

    def __post_init__(self) -> None:
        low, high = DEMO_RATE_RANGE_PER_MIN
        rate = self.rate_per_min
        if self.mode is DemoBreathingMode.FIXED:
            if rate is None or not low <= rate <= high:
                raise ValueError(
                    f"a fixed demo breathing rate lies from {low:g} to {high:g} breaths per minute"
                )
        elif rate is not None:
            raise ValueError(f"demo breathing '{self.mode.value}' takes no rate")

    @classmethod
    def parse(cls, text: str) -> DemoBreathing:
        """`follow`, `ignore` or a rate in breaths/min; ValueError with a plain message else."""
        word = text.strip().lower()
        if word in (DemoBreathingMode.FOLLOW.value, DemoBreathingMode.IGNORE.value):
            return cls(DemoBreathingMode(word))
        low, high = DEMO_RATE_RANGE_PER_MIN
        try:
            rate = float(word)
        except ValueError:
            rate = math.nan
        if not low <= rate <= high:  # NaN and infinities fail here too
            raise ValueError(
                f"demo breathing must be follow, ignore or a rate from {low:g} to {high:g} "
                f"breaths per minute, not {text!r}"
            )
        return cls(DemoBreathingMode.FIXED, rate)

    @property
    def spec(self) -> str:
        """The text `parse` reads back: "follow", "ignore" or the rate ("12", "4.5")."""
        if self.mode is DemoBreathingMode.FIXED and self.rate_per_min is not None:
            return f"{self.rate_per_min:g}"
        return self.mode.value


FOLLOW_PACER = DemoBreathing()
