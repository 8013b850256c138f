"""The 5 s following reads of a running session: its beats on active time, read as they arrive.

A session engine hands every beat (session time, RR, gap flag) and every pause to a
`FollowingReader`, and at each paced stage's start tells it the stage's start (active seconds).
`due(active_now)` then returns the reads whose moment has passed and whose beats have all arrived
(a later beat is in): moments `FIRST_READ_S` (65 s) after the stage start, then every 5 s, read
by `app.hrv.following.following_at` on the stage's own beats. The summary reads the stored beats
with `following_track` on the same grid, so the live line and the summary agree. Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from app.hrv.following import FIRST_READ_S, FOLLOWING_STEP_S, FOLLOWING_WINDOW_S, following_at
from app.session.events import FollowingRead

#: Reads further behind the newest beat than this are skipped (no stale lines after a stall).
CATCH_UP_S = 60.0
#: Beats older than this (active seconds before the newest) are dropped: no read reaches them.
_KEEP_S = FOLLOWING_WINDOW_S + 30.0

RateAt = Callable[[float], float | None]


class FollowingReader:
    """Beats on active time and the reads of the current paced stage. Single-threaded."""

    def __init__(self) -> None:
        self._active_s: list[float] = []
        self._rr_ms: list[float] = []
        self._gap: list[bool] = []
        self._pauses: list[tuple[float, float | None]] = []
        self._break_next = False
        self._rate_at: RateAt | None = None
        self._stage_start_s = 0.0
        self._next_s = math.inf

    # -- input -------------------------------------------------------------------------------
    def pause(self, at_s: float) -> None:
        """A pause began at session time `at_s`."""
        if not self._pauses or self._pauses[-1][1] is not None:
            self._pauses.append((at_s, None))

    def resume(self, at_s: float) -> None:
        """The pause ended at session time `at_s`: the next beat starts a new run."""
        if self._pauses and self._pauses[-1][1] is None:
            start, _ = self._pauses[-1]
            self._pauses[-1] = (start, max(start, at_s))
            self._break_next = True

    def add_beat(self, t_s: float, rr_ms: float, gap_before: bool) -> None:
        """One beat at session time `t_s`; beats inside a pause are left out."""
        if any(start < t_s and (end is None or t_s < end) for start, end in self._pauses):
            self._break_next = True
            return
        paused_s = sum(
            (t_s if end is None else min(end, t_s)) - start
            for start, end in self._pauses
            if start < t_s
        )
        self._active_s.append(t_s - paused_s)
        self._rr_ms.append(rr_ms)
        self._gap.append(gap_before or self._break_next)
        self._break_next = False
        if len(self._active_s) > 4096 and self._active_s[0] < self._active_s[-1] - _KEEP_S:
            first = int(np.searchsorted(self._active_s, self._active_s[-1] - _KEEP_S))
            del self._active_s[:first], self._rr_ms[:first], self._gap[:first]

    def begin_stage(self, at_active_s: float, rate_at: RateAt | None) -> None:
        """A stage began at `at_active_s`; `rate_at` gives its pacer rate (None: no pacer)."""
        self._rate_at = rate_at
        self._stage_start_s = at_active_s
        self._next_s = at_active_s + FIRST_READ_S if rate_at is not None else math.inf

    # -- output ------------------------------------------------------------------------------
    def due(self, active_now_s: float) -> list[FollowingRead]:
        """The reads whose moment has come (up to `active_now_s`) and whose beats are all in."""
        reads: list[FollowingRead] = []
        if self._rate_at is None or not self._active_s:
            return reads
        newest = self._active_s[-1]
        while self._next_s <= active_now_s and self._next_s < newest:
            moment = self._next_s
            self._next_s += FOLLOWING_STEP_S
            if newest - moment > CATCH_UP_S:
                continue
            rate = self._rate_at(moment)
            if rate is None:
                continue
            tick = following_at(
                self._active_s, self._rr_ms, self._gap, moment, rate, since_s=self._stage_start_s
            )
            if tick is not None:
                reads.append(
                    FollowingRead(
                        tick.at_s,
                        tick.pacer_rate_per_min,
                        tick.following,
                        tick.breathing_rate_per_min,
                    )
                )
        return reads
