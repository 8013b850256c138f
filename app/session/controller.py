"""One live session, Qt-free: the session engine and the live analysis, joined.

Runs on one thread (the GUI's asyncio loop). The session engine takes the source's items, stores
every beat and reading at once and tells this class, which feeds the live engine; the UI only
ever reads `snapshot()` and `connection` on its own timer. Session time starts at `start()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from app.breathing import BreathingPattern, SessionTimer, pacer_state
from app.hrv.following import FOLLOWING_STEP_S
from app.session.engine import SessionEngine, SessionSpec, single_stage
from app.session.events import (
    ConnectionChanged,
    Failed,
    FollowingRead,
    SamplesArrived,
    SessionEvent,
    StateChanged,
)
from app.session.live import LiveAnalysis, LiveEngine, LiveSnapshot
from app.session.pacing import breath_starts_for, wave_for
from app.session.recorder import SessionRecorder
from app.session.state import SessionState
from app.store import Store
from app.store.records import BeatRecord, SessionKind
from sensors.source import ConnectionEvent, EventKind, HeartRateSource, Sample

Clock = Callable[[], float]
#: A following read older than this (active seconds) is no longer shown: after a pause or a
#: gap the next read needs a new minute of beats, and an old verdict would mislead meanwhile.
FOLLOWING_FRESH_S = 3 * FOLLOWING_STEP_S


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

    The session engine starts, runs and ends it; this class follows the engine's events into
    the live analysis and the connection state the page shows.

    Args:
        store: the open database.
        pattern: the pacer's breathing pattern.
        analysis: the analysis core adapter used for live numbers.
        source: the heart-rate source, None for the pacer only (or items fed by `on_item`).
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
        source: HeartRateSource | None = None,
        clock: Clock = time.monotonic,
        length_s: float | None = None,
        kind: SessionKind = SessionKind.BREATHING,
    ) -> None:
        self.store = store
        self.pattern = pattern
        self.clock = clock
        self.kind = kind
        self.source = source
        self.engine = LiveEngine(analysis, breath_starts_for(pattern), wave_for(pattern))
        self.connection = ConnectionState()
        self.last_beat_arrival_s: float | None = None
        self.last_beat_received_s: float | None = None  # time.monotonic() when handed over
        self.session_engine = SessionEngine(
            store,
            SessionSpec(kind, rate_bpm=pattern.rate_bpm, pattern_json=pattern.to_json()),
            source=source,
            clock=clock,
            plan=single_stage(length_s, pattern.rate_bpm),
            pacer_rate_at=lambda active_s: self.current_rate_bpm(max(0.0, active_s)),
        )
        #: The engine's 5 s following reads so far, oldest first.
        self.following_reads: list[FollowingRead] = []
        self.session_engine.subscribe(self._on_event)

    # -- lifecycle -----------------------------------------------------------------------
    def start(
        self,
        *,
        sensor_name: str | None = None,
        sensor_address: str | None = None,
        simulated: bool = False,
    ) -> int:
        """Create the session; `simulated` marks a demo-strap session as practice."""
        engine = self.session_engine
        engine.spec = engine.spec.with_sensor(sensor_name, sensor_address, simulated)
        if self.source is not None:
            self.connection = replace(self.connection, status=ConnectionStatus.SCANNING)
        session_id = self.session_engine.start()
        assert session_id is not None
        return session_id

    @property
    def session_id(self) -> int | None:
        return self.session_engine.session_id

    @property
    def recorder(self) -> SessionRecorder | None:
        return self.session_engine.recorder

    @property
    def timer(self) -> SessionTimer:
        return self.session_engine.timer

    @property
    def beats_received(self) -> int:
        return self.session_engine.beats_received

    @property
    def running(self) -> bool:
        """Started and not ended (a failed source leaves the pacer going until `stop()`)."""
        state = self.session_engine.state
        return state.is_live or state is SessionState.FAILED

    def is_paused(self) -> bool:
        return self.session_engine.state is SessionState.PAUSED

    def now_s(self) -> float:
        """Session time (pauses included)."""
        return self.session_engine.now_s()

    def active_s(self) -> float:
        return self.session_engine.active_s()

    def remaining_s(self) -> float | None:
        return self.timer.remaining_s()

    def pacer_t_s(self) -> float:
        """Where the pacer is: active time (it stands still while paused)."""
        return self.engine.active_time(self.now_s())

    def current_rate_bpm(self, at_active_s: float | None = None) -> float:
        t = self.pacer_t_s() if at_active_s is None else at_active_s
        return pacer_state(self.pattern, max(0.0, t)).current_rate_bpm

    def tick(self) -> bool:
        """Let the engine look at the clock: it stores the active length every second (so a
        crash loses about a second) and ends a timed session at its length. True when a
        checkpoint was stored."""
        return self.session_engine.tick()

    def pause(self) -> None:
        self.session_engine.pause()

    def resume(self) -> None:
        self.session_engine.resume()

    def stop(self) -> int | None:
        """End the session cleanly (and stop the source); returns its id."""
        session_id = self.session_engine.stop()
        self.connection = replace(self.connection, status=ConnectionStatus.STOPPED)
        return session_id

    # -- the source ----------------------------------------------------------------------
    async def run_source(self) -> None:
        """Consume the source until it ends or the session stops (run it on the GUI loop)."""
        await self.session_engine.run()

    def on_item(self, item: Sample | ConnectionEvent) -> None:
        self.session_engine.feed(item)

    @property
    def latest_following(self) -> FollowingRead | None:
        """The newest following read (None before the first, about a minute in)."""
        return self.following_reads[-1] if self.following_reads else None

    def current_following(self) -> FollowingRead | None:
        """The newest read while it is fresh (`FOLLOWING_FRESH_S`), else None."""
        read = self.latest_following
        if read is None or self.active_s() - read.at_s > FOLLOWING_FRESH_S:
            return None
        return read

    def _on_event(self, event: SessionEvent) -> None:
        recorder = self.session_engine.recorder
        if recorder is None:
            return
        if isinstance(event, FollowingRead):
            self.following_reads.append(event)
        elif isinstance(event, SamplesArrived):
            self._on_sample(event.sample, event.beats, recorder.start_s)
        elif isinstance(event, ConnectionChanged):
            item = event.event
            at_s = item.at_s - recorder.start_s
            previous = self.connection
            self.connection = next_connection_state(previous, item)
            if item.kind is EventKind.CONNECTED:
                self.engine.link_up(at_s)
                if item.name and previous.name is None:
                    self.store.set_sensor(recorder.session_id, item.name, item.address)
            elif item.kind in (EventKind.DISCONNECTED, EventKind.RECONNECTING, EventKind.FAILED):
                self.engine.link_down(at_s)
        elif isinstance(event, StateChanged):
            if event.new is SessionState.PAUSED:
                self.engine.pause(event.at_s)
            elif event.old is SessionState.PAUSED:
                self.engine.resume(event.at_s)
        elif isinstance(event, Failed) and self.connection.status is not ConnectionStatus.FAILED:
            self.connection = replace(
                self.connection, status=ConnectionStatus.FAILED, message=event.reason
            )

    def _on_sample(self, sample: Sample, beats: tuple[BeatRecord, ...], start_s: float) -> None:
        m = sample.measurement
        if m.bpm > 0 and m.contact is not False:
            self.engine.add_reading(sample.arrival_s - start_s, float(m.bpm))
            if self.connection.contact is not True and m.contact is True:
                self.connection = replace(self.connection, contact=True)
        for beat in beats:
            self.engine.add_beat(beat.t_ms / 1000.0, beat.rr_ms, beat.gap_before)
        if beats:
            self.last_beat_arrival_s = sample.arrival_s
            self.last_beat_received_s = time.monotonic()

    # -- what the UI reads ---------------------------------------------------------------
    def snapshot(self) -> LiveSnapshot:
        return self.engine.snapshot(self.now_s())
