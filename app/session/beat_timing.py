"""Beat times from RR intervals, anchored to packet arrival times so that drift never accumulates.

Straps send about one packet a second, each carrying the RR intervals of the beats that ended
since the previous packet. A beat's time is therefore reconstructed, not observed:

1. The first packet (and the first after a link drop) is anchored at its arrival: its last
   beat is placed at the arrival time and the earlier beats of the packet step back from it
   by their RR values.
2. Every later packet is predicted from the running sum: `end = last_beat + sum(rr)`, the
   beats in between spaced by their RR values exactly.
3. The prediction is then held inside the window where the packet's last beat must have
   happened: no later than this packet's arrival, and no earlier than the previous packet's
   arrival minus `slack_ms` (the beat was not in the previous packet). If it lies outside,
   the packet's beats are moved as a block by the smallest shift that brings the last beat
   back to the window's edge (`shift_ms`).

4. When no packet arrived for `silence_ms` (lost packets: the RR sum no longer covers the
   time), the packet is anchored at its arrival as in step 1.

Steps 3 and 4 are the anchor: a strap clock that runs fast or slow, or a lost packet, can move beat
times by at most about one packet interval, and the error never grows with session length.
Intervals between beats inside a packet are always the RR values as sent; only the interval
into the first beat of a shifted packet absorbs the correction. Times never go backwards, not
even across a link drop (a beat that would fall before the latest placed beat moves up to it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_SLACK_MS = 300.0
DEFAULT_SILENCE_MS = 2500.0


@dataclass(frozen=True, slots=True)
class PlacedBeats:
    """Session times (ms) of one packet's beats, and the correction that was applied."""

    t_ms: tuple[float, ...]
    shift_ms: float = 0.0
    anchored: bool = False


class BeatClock:
    """Places each packet's beats on the session timeline; see the module docstring."""

    def __init__(
        self,
        start_s: float,
        *,
        slack_ms: float = DEFAULT_SLACK_MS,
        silence_ms: float = DEFAULT_SILENCE_MS,
    ) -> None:
        self._start_s = start_s
        self._slack_ms = slack_ms
        self._silence_ms = silence_ms
        self._last_beat_ms: float | None = None
        self._prev_arrival_ms: float | None = None
        self._floor_ms: float | None = None  # the latest beat placed, kept across resets

    def reset(self) -> None:
        """Forget the running sum (after a link drop): the next packet is anchored anew."""
        self._last_beat_ms = None
        self._prev_arrival_ms = None

    def place(self, rr_ms: Sequence[float], arrival_s: float) -> PlacedBeats:
        """Session times of the beats ending the intervals `rr_ms`, received at `arrival_s`.

        Call it for every packet of the link, also those without RR: their arrival narrows
        the window of the next packet.
        """
        arrival_ms = (arrival_s - self._start_s) * 1000.0
        prev_arrival_ms = self._prev_arrival_ms
        self._prev_arrival_ms = arrival_ms
        if not rr_ms:
            return PlacedBeats(())
        last = self._last_beat_ms
        silent = prev_arrival_ms is None or arrival_ms - prev_arrival_ms > self._silence_ms
        anchored = last is None or silent
        shift_ms = 0.0
        if last is None:
            end_ms = arrival_ms
        else:
            predicted_ms = last + float(sum(rr_ms))
            if silent or prev_arrival_ms is None:
                end_ms = arrival_ms
            else:
                end_ms = min(max(predicted_ms, prev_arrival_ms - self._slack_ms), arrival_ms)
            shift_ms = end_ms - predicted_ms
        times = [0.0] * len(rr_ms)
        t = end_ms
        for i in range(len(rr_ms) - 1, -1, -1):
            times[i] = t
            t -= float(rr_ms[i])
        if self._floor_ms is not None:
            floor = self._floor_ms
            for i, value in enumerate(times):
                floor = max(value, floor)
                times[i] = floor
        self._last_beat_ms = times[-1]
        self._floor_ms = times[-1]
        return PlacedBeats(tuple(times), shift_ms, anchored)
