"""One scale per idea: the 1-5 scale of everything a person rates (stress, sleep, mood).

Stress before and after a session was asked on a 1-10 scale by older versions; those answers
(stored ones through migration 8, and version-1 exports when they are imported) are converted
here, pairwise: 1-2 become 1, 3-4 become 2, 5-6 become 3, 7-8 become 4, 9-10 become 5.
"""

from __future__ import annotations

SCALE_MIN = 1
SCALE_MAX = 5
OLD_STRESS_MAX = 10


def stress_from_ten(value: int | None) -> int | None:
    """A 1-10 stress answer on the 1-5 scale (None stays None; values out of range are clamped)."""
    if value is None:
        return None
    return min(SCALE_MAX, max(SCALE_MIN, (value + 1) // 2))


def on_scale(value: int | None) -> bool:
    """The value is an answer on the 1-5 scale (or no answer)."""
    return value is None or SCALE_MIN <= value <= SCALE_MAX
