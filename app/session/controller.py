"""One live session, Qt-free: the timer, the recorder, the live engine and the source, joined.

Runs on one thread (the GUI's asyncio loop). The source's items go to the recorder, which stores
every beat and reading at once, and to the live engine; the UI only ever reads `snapshot()` and
`connection` on its own timer. Session time starts when `start()` is called.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from app.breathing import BreathingPattern, SessionTimer, pacer_state
from app.session.live import LiveAnalysis, LiveEngine, LiveSnapshot
from app.session.pacing import breath_starts_for, wave_for
from app.session.recorder import SessionRecorder
from app.store import Store
from app.store.records import MarkRecord
from sensors.source import ConnectionEvent, EventKind, HeartRateSource, Sample

Clock = Callable[[], float]
CHECKPOINT_EVERY_S = 1.0
"""How often a running session stores its active length (a crash then loses about a second)."""


class ConnectionStatus(StrEnum):
    """Where the link to the strap stands (NONE: a pacer-only session)."""

    NONE = "none"
    SCANNING = "scanning"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ConnectionState:
    """What the connection strip shows."""

    status: ConnectionStatus = ConnectionStatus.NONE
    name: str | None = None
    address: str | None = None
    battery_pct: int | None = None
    contact: bool | None = None
    message: str | None = None
    attempt: int = 0
    rr_available: bool = True

    @property
    def link_down(self) -> bool:
        return self.status is ConnectionStatus.RECONNECTING


def next_connection_state(state: ConnectionState, event: ConnectionEvent) -> ConnectionState:
    """The connection state after `event` (pure, for tests and the UI)."""
    kind = event.kind
    if kind is EventKind.SCANNING:
        if state.status is ConnectionStatus.RECONNECTING:
            return state
        return replace(state, status=ConnectionStatus.SCANNING, message=None)
    if kind is EventKind.CONNECTED:
        return replace(
            state,
            status=ConnectionStatus.CONNECTED,
            name=event.name or state.name,
            address=event.address or state.address,
            battery_pct=event.battery_pct if event.battery_pct is not None else state.battery_pct,
            message=None,
            attempt=0,
            contact=None,
        )
    if kind is EventKind.CONTACT_LOST:
        return replace(state, contact=False)
    if kind is EventKind.CONTACT_REGAINED:
        return replace(state, contact=True)
    if kind is EventKind.RR_UNAVAILABLE:
        return replace(state, rr_available=False, message=event.message)
    if kind is EventKind.DISCONNECTED:
        return replace(
            state, status=ConnectionStatus.RECONNECTING, message=event.message, contact=None
        )
    if kind is EventKind.RECONNECTING:
        return replace(state, status=ConnectionStatus.RECONNECTING, attempt=event.attempt)
    # EventKind.FAILED
    return replace(state, status=ConnectionStatus.FAILED, message=event.message)


class LiveSession:
    """A breathing session with live heart data (or the pacer only when no source is given).

    Args:
        store: the open database.
        pattern: the pacer's breathing pattern.
        analysis: the analysis core adapter used for live numbers.
        clock: monotonic seconds; for a sped-up demo strap pass the strap's `now_s`.
        length_s: session length of active time, None for open-ended.
        kind: the stored session kind.
    """

    def __init__(
        self,
        store: Store,
        pattern: BreathingPattern,
        analysis: LiveAnalysis,
        *,
        clock: Clock = time.monotonic,
        length_s: float | None = None,
        kind: str = "breathing",
    ) -> None:
        self.store = store
        self.pattern = pattern
        self.clock = clock
        self.kind = kind
        self.timer = SessionTimer(clock, length_s)
        self.engine = LiveEngine(analysis, breath_starts_for(pattern), wave_for(pattern))
        self.connection = ConnectionState()
        self.session_id: int | None = None
        self.recorder: SessionRecorder | None = None
        self.source: HeartRateSource | None = None
        self.last_beat_arrival_s: float | None = None
        self.last_beat_received_s: float | None = None  # time.monotonic() when handed over
        self.beats_received = 0
        self._start_s = 0.0
        self._checkpoint_at_s = CHECKPOINT_EVERY_S

    # -- lifecycle -----------------------------------------------------------------------
    def start(
        self,
        *,
        sensor_name: str | None = None,
        sensor_address: str | None = None,
        simulated: bool = False,
    ) -> int:
        """Create the session; `simulated` marks a demo-strap session as practice."""
        self.session_id = self.store.start_session(
            self.kind,
            sensor_name=sensor_name,
            sensor_address=sensor_address,
            simulated=simulated,
            rate_bpm=self.pattern.rate_bpm,
            pattern_json=self.pattern.to_json(),
        )
        self._start_s = self.clock()
        self.timer.start()
        self.recorder = SessionRecorder(
            self.store, self.session_id, self.clock, start_s=self._start_s
        )
        return self.session_id

    @property
    def running(self) -> bool:
        return self.timer.state in ("running", "paused")

    def now_s(self) -> float:
        """Session time (pauses included)."""
        return self.timer.wall_s()

    def active_s(self) -> float:
        return self.timer.active_s()

    def pacer_t_s(self) -> float:
        """Where the pacer is: active time (it stands still while paused)."""
        return self.engine.active_time(self.now_s())

    def current_rate_bpm(self, at_active_s: float | None = None) -> float:
        t = self.pacer_t_s() if at_active_s is None else at_active_s
        return pacer_state(self.pattern, max(0.0, t)).current_rate_bpm

    def checkpoint_if_due(self) -> bool:
        """Store the active length every `CHECKPOINT_EVERY_S` (call it from a UI timer).

        After a crash the session is closed with this length; without it a pacer-only session
        (no beats) would end at its start, and a strap session would count its pauses.
        """
        if self.session_id is None or self.timer.state != "running":
            return False
        active_s = self.timer.active_s()
        if active_s < self._checkpoint_at_s:
            return False
        self.store.checkpoint_session(self.session_id, active_s=round(active_s, 3))
        self._checkpoint_at_s = active_s + CHECKPOINT_EVERY_S
        return True

    def pause(self) -> None:
        if self.timer.state != "running":
            return
        mark = self.timer.pause()
        self.engine.pause(mark.wall_s)
        self._mark(mark.wall_s, "pause")

    def resume(self) -> None:
        if self.timer.state != "paused":
            return
        mark = self.timer.resume()
        self.engine.resume(mark.wall_s)
        self._mark(mark.wall_s, "resume")

    def stop(self, status: str = "complete") -> int | None:
        """End the session cleanly; returns its id."""
        if self.source is not None:
            self.source.stop()
        if not self.running or self.session_id is None:
            return self.session_id
        self.timer.stop()
        self.store.finish_session(
            self.session_id, status=status, duration_s=round(self.timer.active_s(), 3)
        )
        self.connection = replace(self.connection, status=ConnectionStatus.STOPPED)
        return self.session_id

    def _mark(self, wall_s: float, kind: str, detail: str | None = None) -> None:
        if self.session_id is not None:
            self.store.add_mark(self.session_id, MarkRecord(wall_s * 1000.0, kind, detail))

    # -- the source ----------------------------------------------------------------------
    async def run_source(self, source: HeartRateSource) -> None:
        """Consume `source` until it ends or the session stops (run it on the GUI loop)."""
        self.source = source
        self.connection = replace(self.connection, status=ConnectionStatus.SCANNING)
        # `stop()` stops the source, which then ends this loop; never break out of it (the
        # source's generator would be left to the garbage collector to close).
        async for item in source:
            self.on_item(item)

    def on_item(self, item: Sample | ConnectionEvent) -> None:
        recorder = self.recorder
        if recorder is None or not self.running or self.timer.is_due():
            return  # a timed session that reached its length takes no more data
        if isinstance(item, Sample):
            beats = recorder.on_sample(item)
            m = item.measurement
            t_s = item.arrival_s - recorder.start_s
            if m.bpm > 0 and m.contact is not False:
                self.engine.add_reading(t_s, float(m.bpm))
                if self.connection.contact is not True and m.contact is True:
                    self.connection = replace(self.connection, contact=True)
            for beat in beats:
                self.engine.add_beat(beat.t_ms / 1000.0, beat.rr_ms, beat.gap_before)
            if beats:
                self.beats_received += len(beats)
                self.last_beat_arrival_s = item.arrival_s
                self.last_beat_received_s = time.monotonic()
            return
        recorder.on_event(item)
        at_s = item.at_s - recorder.start_s
        previous = self.connection
        self.connection = next_connection_state(previous, item)
        if item.kind is EventKind.CONNECTED:
            self.engine.link_up(at_s)
            if self.session_id is not None and item.name and previous.name is None:
                self.store.set_sensor(self.session_id, item.name, item.address)
        elif item.kind in (EventKind.DISCONNECTED, EventKind.RECONNECTING, EventKind.FAILED):
            self.engine.link_down(at_s)

    # -- what the UI reads ---------------------------------------------------------------
    def snapshot(self) -> LiveSnapshot:
        return self.engine.snapshot(self.now_s())
