"""A breathing pattern: rate, inhale:exhale ratio, optional holds and a gentle starting ramp.

How time is shared within one breath cycle (cycle length = 60 / rate_bpm seconds):
- The holds take their seconds *from* the cycle: a 6/min cycle (10 s) with a 1 s hold after the
  inhale and a 1 s hold after the exhale leaves 8 s of breathing, split inhale:exhale by the ratio
  (1:1 -> 4 s + 4 s). So the rate stays what it says: holds never make the cycle longer.
- With a ramp, the rate eases from `start_rate_bpm` to `rate_bpm` over `ramp_duration_s` (cosine
  easing, so the rate has no kinks). The breath phase is the integral of the instantaneous rate, so
  it never jumps. During the ramp each breath is split using the rate at the moment it starts, so
  hold lengths are exact at a steady rate and within a few percent while the rate still changes.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

MIN_RATE_BPM = 3.0
MAX_RATE_BPM = 10.0
MIN_BREATHING_S = 2.0  # holds must leave at least this much inhale + exhale time per cycle
MAX_RAMP_DURATION_S = 3600.0

# Inhale:exhale presets offered in the app; any positive ratio is allowed.
RATIO_PRESETS: dict[str, tuple[float, float]] = {
    "1:1": (1.0, 1.0),
    "1:1.5": (1.0, 1.5),
    "1:2": (1.0, 2.0),
}


def _check_number(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def _check_rate(name: str, value: float) -> None:
    rate = _check_number(name, value)
    if not MIN_RATE_BPM <= rate <= MAX_RATE_BPM:
        raise ValueError(
            f"{name} must be between {MIN_RATE_BPM} and {MAX_RATE_BPM} breaths/min, got {rate:g}"
        )


@dataclass(frozen=True, slots=True)
class BreathingPattern:
    """What the pacer shows. Immutable; invalid values raise ValueError on construction.

    Attributes:
        rate_bpm: target breathing rate in breaths per minute (3.0-10.0).
        inhale_ratio: inhale share of the ratio (e.g. 1 in 1:2), > 0.
        exhale_ratio: exhale share of the ratio (e.g. 2 in 1:2), > 0.
        hold_after_inhale_s: pause with full lungs, taken from the cycle (>= 0).
        hold_after_exhale_s: pause with empty lungs, taken from the cycle (>= 0).
        start_rate_bpm: rate at t = 0 when ramping (3.0-10.0), or None for no ramp.
        ramp_duration_s: how long the rate eases from start_rate_bpm to rate_bpm (0 = no ramp).
    """

    rate_bpm: float = 6.0
    inhale_ratio: float = 1.0
    exhale_ratio: float = 1.0
    hold_after_inhale_s: float = 0.0
    hold_after_exhale_s: float = 0.0
    start_rate_bpm: float | None = None
    ramp_duration_s: float = 0.0

    def __post_init__(self) -> None:
        _check_rate("rate_bpm", self.rate_bpm)
        for name in ("inhale_ratio", "exhale_ratio"):
            if _check_number(name, getattr(self, name)) <= 0.0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        for name in ("hold_after_inhale_s", "hold_after_exhale_s"):
            if _check_number(name, getattr(self, name)) < 0.0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")
        ramp_s = _check_number("ramp_duration_s", self.ramp_duration_s)
        if not 0.0 <= ramp_s <= MAX_RAMP_DURATION_S:
            raise ValueError(
                f"ramp_duration_s must be between 0 and {MAX_RAMP_DURATION_S:g} s, got {ramp_s:g}"
            )
        if self.start_rate_bpm is not None:
            _check_rate("start_rate_bpm", self.start_rate_bpm)
        elif ramp_s > 0.0:
            raise ValueError("a ramp (ramp_duration_s > 0) needs start_rate_bpm")
        fastest_bpm = max(self.rate_bpm, self.start_rate_bpm or self.rate_bpm)
        holds_s = self.hold_after_inhale_s + self.hold_after_exhale_s
        breathing_s = 60.0 / fastest_bpm - holds_s
        if breathing_s < MIN_BREATHING_S:
            raise ValueError(
                f"holds of {holds_s:g} s leave {breathing_s:.1f} s to breathe in a "
                f"{fastest_bpm:g}/min cycle; at least {MIN_BREATHING_S:g} s are needed"
            )

    @property
    def has_ramp(self) -> bool:
        return self.start_rate_bpm is not None and self.ramp_duration_s > 0.0

    @property
    def ratio_label(self) -> str:
        """`1:1.5` style label of the inhale:exhale ratio (normalised to inhale 1)."""
        return f"1:{self.exhale_ratio / self.inhale_ratio:g}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BreathingPattern:
        """Build from `to_dict` output; unknown keys are rejected with ValueError."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown breathing pattern fields: {sorted(unknown)}")
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> BreathingPattern:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a breathing pattern must be a JSON object")
        return cls.from_dict(data)
