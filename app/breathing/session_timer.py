"""Session timing with pauses: active (breathing) time vs wall time, pause/resume marks, the end.

The clock is injected (e.g. `time.monotonic`), so tests drive it by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Clock = Callable[[], float]
TimerState = Literal["idle", "running", "paused", "stopped"]


@dataclass(frozen=True, slots=True)
class TimerMark:
    """A pause or resume, at `wall_s` seconds since the start (pauses included)."""

    wall_s: float
    kind: Literal["pause", "resume"]


class SessionTimer:
    """Active time of one session. `length_s` None means open-ended.

    States: idle -> running <-> paused -> stopped. Active time excludes paused time; the session is
    due to end when active time reaches `length_s` (see `is_due`).
    """

    def __init__(self, clock: Clock, length_s: float | None) -> None:
        if length_s is not None and (not math.isfinite(length_s) or length_s <= 0.0):
            raise ValueError(f"length_s must be positive or None, got {length_s!r}")
        self._clock = clock
        self.length_s = length_s
        self.state: TimerState = "idle"
        self._started_at = 0.0
        self._stopped_at = 0.0
        self._paused_total_s = 0.0
        self._paused_at = 0.0
        self.marks: list[TimerMark] = []

    def start(self, at_s: float | None = None) -> None:
        """Start now, or at clock time `at_s` (when the session's zero was taken earlier)."""
        if self.state != "idle":
            raise RuntimeError(f"cannot start a session that is {self.state}")
        self._started_at = self._clock() if at_s is None else at_s
        self.state = "running"

    def pause(self) -> TimerMark:
        if self.state != "running":
            raise RuntimeError(f"cannot pause a session that is {self.state}")
        self._paused_at = self._clock()
        self.state = "paused"
        mark = TimerMark(self._paused_at - self._started_at, "pause")
        self.marks.append(mark)
        return mark

    def resume(self) -> TimerMark:
        if self.state != "paused":
            raise RuntimeError(f"cannot resume a session that is {self.state}")
        now = self._clock()
        self._paused_total_s += now - self._paused_at
        self.state = "running"
        mark = TimerMark(now - self._started_at, "resume")
        self.marks.append(mark)
        return mark

    def stop(self) -> None:
        if self.state not in ("running", "paused"):
            raise RuntimeError(f"cannot stop a session that is {self.state}")
        now = self._clock()
        if self.state == "paused":
            self._paused_total_s += now - self._paused_at
        self._stopped_at = now
        self.state = "stopped"

    def wall_s(self) -> float:
        """Seconds since the start, pauses included."""
        if self.state == "idle":
            return 0.0
        end = self._stopped_at if self.state == "stopped" else self._clock()
        return end - self._started_at

    def active_s(self) -> float:
        """Seconds of breathing so far (pauses excluded), capped at the session length."""
        if self.state == "idle":
            return 0.0
        if self.state == "stopped":
            end = self._stopped_at
        elif self.state == "paused":
            end = self._paused_at
        else:
            end = self._clock()
        active = end - self._started_at - self._paused_total_s
        if self.length_s is not None:
            active = min(active, self.length_s)
        return max(active, 0.0)

    def remaining_s(self) -> float | None:
        """Seconds left, or None for an open-ended session."""
        if self.length_s is None:
            return None
        return max(self.length_s - self.active_s(), 0.0)

    def is_due(self) -> bool:
        """True once a timed session has reached its length."""
        return self.length_s is not None and self.state == "running" and self.remaining_s() == 0.0
