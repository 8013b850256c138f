"""A realistic demo strap: RR intervals with heart-rate waves that follow the breathing rate.

The model, per beat (times are the strap's own time `t_s` from its start):

- mean RR from `mean_hr_bpm` (~67 bpm), plus a slow drift: a 7-minute sine (+/-30 ms) and an
  Ornstein-Uhlenbeck wander (time constant 120 s, ~12 ms spread);
- respiratory sinus arrhythmia: `-amplitude * sin(breath phase)` (RR shortens while breathing
  in), where the breath phase integrates the current breathing rate and the amplitude is
  `RSA_FLOOR_MS + RSA_PEAK_MS * exp(-0.5 * ((rate - resonance) / RSA_WIDTH_BPM) ** 2)`: largest
  at `resonance_bpm`, a quarter of the peak 1/min away, clearly peaked in 0.5/min steps;
- optionally (`breath_cycles`, e.g. the pacer of a resonance assessment) the waves follow the
  pacer's own breath: `RSA = -amplitude * cos(2 pi cycles + lead)`, so the heart rate peaks when
  the lungs are full at resonance and `PHASE_LEAD_DEG_PER_BPM` degrees earlier per breath/min
  slower than resonance (later when faster), as the heart-rate/breath phase does around
  resonance (Lehrer, Vaschillo & Vaschillo 2000);
- what the demo person breathes (`DemoBreathing`): by default (`follow`) the rate and breath the
  strap is given, i.e. the pacer's; `RATE` (a fixed number of breaths/min) whatever the pacer
  does; `ignore` irregular breaths of random length (each drawn anew, log-normal around
  `IRREGULAR_MEDIAN_S` (4.6 s, 13/min) with a 35 % spread, kept within 2.5-9 s), so the
  heart-rate wave is spread over many rates and follows no pacer;
- white noise (~6 ms), and now and then an ectopic beat (a premature beat at 60% of the RR
  followed by a compensatory pause at 140%).

Packets go out about once a second like a real strap: the first few report 0 bpm without
contact (a strap that was just put on), then every packet carries the RR values of the beats
that ended since the previous one (none when no beat ended), encoded as raw Heart Rate
Measurement bytes and decoded by `parse_measurement`, the same path as a real strap.

`speed` runs the strap faster than real time (`math.inf`: as fast as the loop allows).
`arrival_s` values and `now_s()` use the strap's time base, `clock()` at start plus the
strap's elapsed time; at `speed=1` that is the monotonic clock itself.

`now_s()` is the clock of a session that reads this strap, so it never runs past an item the
reader has not taken yet: it waits at the arrival time of the oldest item still queued, or of
the item the strap is about to send, until the reader has it. A busy event loop (a slow
machine, a sped-up strap) then slows the session's time down instead of leaving beats behind
it: what a session holds at a given session time is the same however loaded the machine is.
Packets that are overdue (the loop was busy) go out at once, one after the other, so the strap
catches up with its speed as soon as the loop lets it. At `speed=1` on an idle loop the clock
waits only for the moment between a packet's time and its reading.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from sensors.demo_breathing import DEMO_RATE_RANGE_PER_MIN as DEMO_RATE_RANGE_PER_MIN
from sensors.demo_breathing import FOLLOW_PACER as FOLLOW_PACER
from sensors.demo_breathing import DemoBreathing as DemoBreathing
from sensors.demo_breathing import DemoBreathingMode as DemoBreathingMode
from sensors.hrs import encode_measurement, parse_measurement
from sensors.source import (
    ConnectionEvent,
    EventKind,
    PacketWatcher,
    QueuedSource,
    Sample,
    SourceItem,
)

RSA_PEAK_MS = 110.0
RSA_FLOOR_MS = 18.0
RSA_WIDTH_BPM = 0.6
PHASE_LEAD_DEG_PER_BPM = 35.0
PACKET_INTERVAL_S = 1.0
CATCH_UP_BURST = 50
"""Overdue packets sent in a row before the strap lets the event loop run once."""
DEMO_NAME = "Demo strap"
DEMO_ADDRESS = "demo"

BreathingRate = Callable[[float], float] | float
BreathCycles = Callable[[float], float | None]

IRREGULAR_MEDIAN_S = 60.0 / 13.0
IRREGULAR_SPREAD = 0.35
IRREGULAR_LIMITS_S = (2.5, 9.0)


def rsa_amplitude_ms(rate_bpm: float, resonance_bpm: float) -> float:
    """Half peak-to-trough RR swing (ms) of the demo's heart-rate waves at a breathing rate."""
    offset = (rate_bpm - resonance_bpm) / RSA_WIDTH_BPM
    return RSA_FLOOR_MS + RSA_PEAK_MS * math.exp(-0.5 * offset * offset)


class DemoStrap(QueuedSource):
    """A simulated chest strap implementing `HeartRateSource`.

    `breath_cycles(t_s)`, when given, returns the pacer's breath cycles (0 at an inhale start,
    1 at the next) at strap time `t_s` (seconds since the strap started), or None when no pacer
    runs; the heart-rate waves then follow that breath instead of a free-running one.
    `breathing` other than `follow` sets both aside: the person breathes at a fixed rate, or
    irregularly.
    """

    def __init__(
        self,
        breathing_rate_provider: BreathingRate = 6.0,
        *,
        resonance_bpm: float = 5.5,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        speed: float = 1.0,
        mean_hr_bpm: float = 67.0,
        no_contact_packets: int = 3,
        ectopic_probability: float = 0.004,
        battery_pct: int = 87,
        breath_cycles: BreathCycles | None = None,
        breathing: DemoBreathing = FOLLOW_PACER,
    ) -> None:
        super().__init__()
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._rate = breathing_rate_provider
        self._resonance_bpm = resonance_bpm
        self._rng = np.random.default_rng(seed)
        self._clock = clock
        self._speed = speed
        self._mean_rr_ms = 60_000.0 / mean_hr_bpm
        self._no_contact_packets = no_contact_packets
        self._ectopic_probability = ectopic_probability
        self._battery_pct = battery_pct
        self._breathing = breathing
        if breathing.mode is not DemoBreathingMode.FOLLOW:
            breath_cycles = None  # the pacer's breath is not this person's
        self._breath_cycles = breath_cycles
        irregular = breathing.mode is DemoBreathingMode.IGNORE
        self._irregular_rate_bpm = self._draw_irregular_rate() if irregular else 0.0
        self._anchor_s: float | None = None
        self._sim_s = 0.0
        # the clock waits at these: the item being sent next and the items sent but not yet read
        self._due_s = math.inf
        self._unread_s: deque[float] = deque()
        self._reader_gone = False
        self._overdue_in_row = 0
        # beat model state
        self._phase_rad = 0.0
        self._wander_ms = 0.0
        self._pending_compensation = False
        self._recent_rr_ms: list[float] = []

    @property
    def breathing(self) -> DemoBreathing:
        """What this strap's person breathes."""
        return self._breathing

    def breathing_rate_bpm(self, t_s: float) -> float:
        """The rate the demo person breathes at, at strap time `t_s` (breaths/min)."""
        if self._breathing.mode is DemoBreathingMode.FIXED:
            assert self._breathing.rate_per_min is not None
            return self._breathing.rate_per_min
        if self._breathing.mode is DemoBreathingMode.IGNORE:
            return self._irregular_rate_bpm
        rate = self._rate
        return float(rate(t_s)) if callable(rate) else float(rate)

    def _draw_irregular_rate(self) -> float:
        """The rate of one irregular breath: its length drawn log-normal, within the limits."""
        length_s = IRREGULAR_MEDIAN_S * math.exp(IRREGULAR_SPREAD * self._rng.standard_normal())
        low, high = IRREGULAR_LIMITS_S
        return 60.0 / min(max(length_s, low), high)

    def now_s(self) -> float:
        """The current time on the strap's time base (the base of `arrival_s`); it does not
        pass the arrival time of an item the reader has not taken yet (module docstring)."""
        if self._anchor_s is None:
            return self._clock()
        if math.isinf(self._speed):
            running_s = self._anchor_s + self._sim_s
        else:
            running_s = self._anchor_s + (self._clock() - self._anchor_s) * self._speed
        unread_s = self._unread_s[0] if self._unread_s else math.inf
        return min(running_s, unread_s, self._due_s)

    def _emit(self, item: SourceItem) -> None:
        if not self._reader_gone:  # every item the strap sends is due at `_due_s`
            self._unread_s.append(self._due_s)
        super()._emit(item)

    def _taken(self) -> None:
        if self._unread_s:
            self._unread_s.popleft()

    def _reading_ended(self) -> None:
        self._reader_gone = True
        self._unread_s.clear()

    def _next_rr_ms(self, t_s: float) -> float:
        """The RR interval (ms) of the beat that starts at strap time `t_s`."""
        rr_guess_s = self._mean_rr_ms / 1000.0
        rate_bpm = self.breathing_rate_bpm(t_s)
        phase_rad = self._phase_rad + 2 * math.pi * rate_bpm / 60.0 * rr_guess_s
        if phase_rad >= 2 * math.pi and self._breathing.mode is DemoBreathingMode.IGNORE:
            self._irregular_rate_bpm = self._draw_irregular_rate()  # the next breath
        self._phase_rad = phase_rad % (2 * math.pi)
        tau_s = 120.0
        step = rr_guess_s / tau_s
        self._wander_ms += -self._wander_ms * step + 12.0 * math.sqrt(2 * step) * float(
            self._rng.standard_normal()
        )
        drift_ms = 30.0 * math.sin(2 * math.pi * t_s / 420.0) + self._wander_ms
        amplitude_ms = rsa_amplitude_ms(rate_bpm, self._resonance_bpm)
        rsa_ms = amplitude_ms * math.sin(self._phase_rad)
        if self._breath_cycles is not None:
            # the pacer's breath at the middle of this interval, where its heart rate belongs
            cycles = self._breath_cycles(t_s + rr_guess_s / 2.0)
            if cycles is not None:
                lead_rad = math.radians(PHASE_LEAD_DEG_PER_BPM * (self._resonance_bpm - rate_bpm))
                rsa_ms = -amplitude_ms * math.cos(2 * math.pi * cycles + lead_rad)
        rr_ms = self._mean_rr_ms + drift_ms - rsa_ms + 6.0 * float(self._rng.standard_normal())
        if self._pending_compensation:
            self._pending_compensation = False
            rr_ms *= 1.4
        elif self._rng.random() < self._ectopic_probability:
            self._pending_compensation = True
            rr_ms *= 0.6
        return max(300.0, min(rr_ms, 2000.0))

    def _bpm(self) -> int:
        recent = self._recent_rr_ms[-4:] or [self._mean_rr_ms]
        return round(60_000.0 / (sum(recent) / len(recent)))

    async def _wait_until(self, sim_s: float) -> bool:
        """Wait for strap time `sim_s` (seconds since the start); True when stopping."""
        assert self._anchor_s is not None
        self._sim_s = sim_s
        self._due_s = self._anchor_s + sim_s
        if math.isinf(self._speed):
            await asyncio.sleep(0)
            return self.is_stopping()
        delay_s = self._anchor_s + sim_s / self._speed - self._clock()
        if delay_s > 0:
            self._overdue_in_row = 0
            return await self._sleep(delay_s)
        # overdue: send it now, without a round trip through the loop for every packet
        self._overdue_in_row += 1
        if self._overdue_in_row >= CATCH_UP_BURST:
            self._overdue_in_row = 0
            await asyncio.sleep(0)
        return self.is_stopping()

    async def _run(self) -> None:
        try:
            await self._stream()
        finally:
            self._due_s = math.inf  # nothing more comes: the clock runs on

    async def _stream(self) -> None:
        self._anchor_s = self._clock()
        anchor = self._anchor_s
        self._due_s = anchor
        self._emit(ConnectionEvent(EventKind.SCANNING, anchor))
        if await self._wait_until(0.3):
            return
        self._emit(
            ConnectionEvent(
                EventKind.CONNECTED,
                self._due_s,
                name=DEMO_NAME,
                address=DEMO_ADDRESS,
                battery_pct=self._battery_pct,
                body_location="chest",
            )
        )
        watcher = PacketWatcher()
        packet_s = 1.0
        next_beat_s: float | None = None
        next_units = 0
        packets = 0
        while True:
            jitter_s = 0.02 * float(self._rng.random())
            if await self._wait_until(packet_s + jitter_s):
                return
            at_s = self._due_s
            if packets < self._no_contact_packets:
                payload = encode_measurement(0, contact=False)
            else:
                if next_beat_s is None:
                    next_beat_s = packet_s - 0.5
                    next_units = round(self._next_rr_ms(next_beat_s) * 1.024)
                rr_units: list[int] = []
                # every beat that ended before this packet goes out in it, in order
                while next_beat_s + next_units / 1024.0 <= packet_s:
                    rr_units.append(next_units)
                    self._recent_rr_ms.append(next_units * 1000 / 1024)
                    del self._recent_rr_ms[:-8]
                    next_beat_s += next_units / 1024.0
                    next_units = round(self._next_rr_ms(next_beat_s) * 1.024)
                payload = encode_measurement(
                    self._bpm(), contact=True, rr_units=tuple(rr_units) if rr_units else None
                )
            packets += 1
            measurement = parse_measurement(payload)
            for event in watcher.events(measurement, at_s):
                self._emit(event)
            self._emit(Sample(measurement, at_s))
            packet_s += PACKET_INTERVAL_S
