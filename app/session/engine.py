"""The one session engine: every kind of session starts, runs and ends here. Qt-free.

A `SessionEngine` owns the heart-rate source (or none: a pacer-only session), the stored session
and its recorder, the clock and the plan of stages. Whoever drives it (a page, a dialog, the
`record` command) subscribes to its events and renders them; nobody else stores beats, counts
time or decides when a session ends.

- `start()` opens the stored session and starts its time (`StartAt.NOW`); or waits for the
  strap to connect (`StartAt.CONNECTED`, as `record` does: nothing is stored if it never
  does); or opens the session at once but starts time and recording with the first packet
  that has skin contact (`StartAt.CONTACT`, the morning check).
- `run()` consumes the source on the caller's event loop; every item goes through `feed()`,
  which stores it and moves the state and the stages on.
- `tick()` (call it from a timer) moves stages on by the clock and stores a checkpoint every
  `CHECKPOINT_EVERY_S` of active time.
- A source that fails for good (a FAILED event, or an exception while iterating it) sends the
  engine to FAILED and every subscriber gets `Failed(reason)`; the owner then closes the
  session (`stop()` or `cancel()`).

Time: session time counts from the start, pauses included; active time leaves pauses out. Stages
run on active time; the session ends by itself when the last timed stage is over.

Short sessions: a session that ends (stopped, cancelled or at the end of its plan) with less than
`min_kept_s` (default `MIN_KEPT_S`, 30 s) of active time is discarded from the store with all its
data; `discarded` is then True and `session_id` None, so nothing downstream shows or analyses it.

Following: during a paced stage (one with a pacer rate) every subscriber gets a `FollowingRead`
every 5 s of active time from 65 s into the stage on: how well the heart follows the pacer and the
breathing rate it shows (`app.session.following_reads`). The pacer rate of a moment is the stage's,
or what `pacer_rate_at` says (a pattern whose rate eases in).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from app.breathing import SessionTimer
from app.session.events import (
    Checkpointed,
    ConnectionChanged,
    Failed,
    SamplesArrived,
    SessionEvent,
    Stage,
    StageChanged,
    StateChanged,
    Subscriber,
    Tick,
)
from app.session.following_reads import FollowingReader, RateAt
from app.session.recorder import SessionRecorder
from app.session.state import SessionState, StageKind, check_transition
from app.store import Store
from app.store.records import MarkRecord, SessionKind, SessionStatus
from sensors.source import ConnectionEvent, EventKind, HeartRateSource, Sample, SourceItem

Clock = Callable[[], float]
CHECKPOINT_EVERY_S = 1.0
"""How often a running session stores its active length (a crash then loses about a second)."""
MIN_KEPT_S = 30.0
"""A session whose active time is shorter when it ends is not kept (discarded from the store)."""
SHORT_SESSION_NOTE = f"Sessions shorter than {MIN_KEPT_S:.0f} s are not kept."
_COUNTING = frozenset(
    {
        SessionState.CONNECTING,
        SessionState.RUNNING,
        SessionState.RECONNECTING,
        SessionState.FAILED,
    }
)
SOURCE_STOPPED = "the heart-rate source stopped unexpectedly"


@dataclass(frozen=True, slots=True)
class SessionSpec:
    """What the stored session is: its kind, sensor, whether it is practice, its pacer."""

    kind: SessionKind
    sensor_name: str | None = None
    sensor_address: str | None = None
    simulated: bool = False
    rate_bpm: float | None = None
    pattern_json: str | None = None

    def with_sensor(self, name: str | None, address: str | None, simulated: bool) -> SessionSpec:
        """The same session from this sensor (`simulated`: the demo strap, kept as practice)."""
        return replace(self, sensor_name=name, sensor_address=address, simulated=simulated)


class StartAt(Enum):
    """When a session's stored record opens and its time starts."""

    NOW = "now"
    CONNECTED = "connected"  # both when the strap first connects
    CONTACT = "contact"  # the record at once, time with the first packet with skin contact


def single_stage(length_s: float | None, rate_bpm: float | None = None) -> tuple[Stage, ...]:
    """The plan of a plain session: one stage, `length_s` None for open-ended."""
    return (Stage(StageKind.SESSION, length_s, rate_bpm),)


class SessionEngine:
    """One session, from start to end.

    Args:
        store: the open database.
        spec: what to store about the session.
        source: the heart-rate source, None for a pacer-only session.
        clock: monotonic seconds, the time base of the source's `arrival_s` values.
        plan: the stages in order (default: one open stage).
        start_at: when the stored session opens and its time starts (see `StartAt`).
        pacer_rate_at: the pacer's rate at an active time, for the following reads (None: each
            paced stage's own `rate_bpm`).
        min_kept_s: a session ending with less active time is discarded (0 keeps every one).
    """

    def __init__(
        self,
        store: Store,
        spec: SessionSpec,
        *,
        source: HeartRateSource | None = None,
        clock: Clock = time.monotonic,
        plan: Sequence[Stage] = single_stage(None),
        start_at: StartAt = StartAt.NOW,
        pacer_rate_at: RateAt | None = None,
        min_kept_s: float = MIN_KEPT_S,
    ) -> None:
        if not plan:
            raise ValueError("a session needs at least one stage")
        self.store = store
        self.spec = spec
        self.source = source
        self.clock = clock
        self.start_at = start_at
        self._plan: list[Stage] = list(plan)
        self._stage_index = 0
        self._stage_started_s = 0.0
        self.timer = SessionTimer(clock, _plan_length(self._plan))
        self.state = SessionState.IDLE
        self.session_id: int | None = None
        self.recorder: SessionRecorder | None = None
        self.failure: str | None = None
        self.duration_s: float | None = None
        self.min_kept_s = min_kept_s
        self.discarded = False
        self.beats_received = 0
        self._subscribers: list[Subscriber] = []
        self._connected_once = False
        self._link_down = False
        self._checkpoint_at_s = CHECKPOINT_EVERY_S
        self._pacer_rate_at = pacer_rate_at
        self._following = FollowingReader()

    # -- subscribers -------------------------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber` with every event from now on; returns the unsubscribe function."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def _emit(self, event: SessionEvent) -> None:
        for subscriber in tuple(self._subscribers):
            subscriber(event)

    def _move(self, new: SessionState) -> None:
        old = self.state
        if new is old:
            return
        check_transition(old, new)
        self.state = new
        self._emit(StateChanged(old, new, self.now_s()))

    # -- what drivers read --------------------------------------------------------------------
    @property
    def stage(self) -> Stage | None:
        """The stage running (or paused), None before the start and after the end."""
        if self.state.is_live:
            return self._plan[self._stage_index]
        return None

    @property
    def stage_started_s(self) -> float:
        """Active time at which the current stage began."""
        return self._stage_started_s

    def stage_left_s(self) -> float | None:
        stage = self.stage
        if stage is None or stage.length_s is None:
            return None
        return max(0.0, self._stage_started_s + stage.length_s - self.active_s())

    def now_s(self) -> float:
        """Session time (pauses included)."""
        return self.timer.wall_s()

    def active_s(self) -> float:
        return self.timer.active_s()

    @property
    def start_s(self) -> float:
        """The session's zero on `clock`."""
        return self.recorder.start_s if self.recorder is not None else 0.0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> int | None:
        """Start the session; returns its id (None while waiting for the strap to connect)."""
        if self.state is not SessionState.IDLE:
            raise RuntimeError(f"the session was already started ({self.state.value})")
        if self.start_at is not StartAt.NOW and self.source is None:
            raise ValueError(f"starting at {self.start_at.value} needs a source")
        if self.start_at is StartAt.CONNECTED:
            self._move(SessionState.CONNECTING)
            return None
        self._create()
        if self.start_at is StartAt.CONTACT:
            self._move(SessionState.CONNECTING)
            return self.session_id
        self._record_from(self.clock())
        self._move(SessionState.RUNNING if self.source is None else SessionState.CONNECTING)
        self._begin_stage(0, 0.0)
        return self.session_id

    def _create(self, name: str | None = None, address: str | None = None) -> int:
        spec = self.spec
        self.session_id = self.store.start_session(
            spec.kind,
            sensor_name=spec.sensor_name if name is None else name,
            sensor_address=spec.sensor_address if address is None else address,
            simulated=spec.simulated,
            rate_bpm=spec.rate_bpm,
            pattern_json=spec.pattern_json,
        )
        return self.session_id

    def _record_from(self, at_s: float) -> SessionRecorder:
        """Session time and recording start at clock time `at_s`."""
        assert self.session_id is not None
        self.timer.start(at_s)
        self.recorder = SessionRecorder(self.store, self.session_id, self.clock, start_s=at_s)
        return self.recorder

    def pause(self) -> None:
        if (
            self.state
            not in (
                SessionState.RUNNING,
                SessionState.CONNECTING,
                SessionState.RECONNECTING,
            )
            or self.timer.state != "running"
        ):
            return  # nothing to pause (also before a session's time has started)
        mark = self.timer.pause()
        self._following.pause(mark.wall_s)
        self._move(SessionState.PAUSED)
        self._mark(mark.wall_s, "pause")

    def resume(self) -> None:
        if self.state is not SessionState.PAUSED:
            return
        mark = self.timer.resume()
        self._following.resume(mark.wall_s)
        self._move(self._link_state())
        self._mark(mark.wall_s, "resume")

    def _link_state(self) -> SessionState:
        if self.source is None:
            return SessionState.RUNNING
        if not self._connected_once:
            return SessionState.CONNECTING
        return SessionState.RECONNECTING if self._link_down else SessionState.RUNNING

    def stop(self, *, duration_s: float | None = None) -> int | None:
        """End the session as complete (also after a failure); returns its id.

        `duration_s` replaces the active time as the stored length. Stops the source."""
        return self._close(SessionState.ENDED, SessionStatus.COMPLETE, duration_s)

    def cancel(self) -> int | None:
        """End the session early: it is kept as interrupted. Stops the source."""
        return self._close(SessionState.INTERRUPTED, SessionStatus.INTERRUPTED, None)

    def close_source(self) -> None:
        if self.source is not None:
            self.source.stop()

    def _close(
        self, state: SessionState, status: SessionStatus, duration_s: float | None
    ) -> int | None:
        self.close_source()
        if not (self.state.is_live or self.state is SessionState.FAILED):
            return self.session_id
        if self.timer.state in ("running", "paused"):
            self.timer.stop()
        if self.session_id is not None:
            length_s = self.timer.active_s() if duration_s is None else duration_s
            self.duration_s = round(length_s, 3)
            self._finish(status)
        self._move(state)
        return self.session_id

    def _finish(self, status: SessionStatus) -> None:
        """Store the end of the session, or discard a session shorter than `min_kept_s`."""
        assert self.session_id is not None and self.duration_s is not None
        if self.duration_s < self.min_kept_s:
            self.store.discard_session(self.session_id)
            self.session_id = None
            self.discarded = True
            return
        self.store.finish_session(self.session_id, status=status, duration_s=self.duration_s)

    def fail(self, reason: str) -> None:
        """The source failed for good: FAILED, and every subscriber hears `reason`.

        The stored session stays open (with what was recorded) and its time goes on (a pacer
        can carry on) until `stop()` or `cancel()`; a session that never opened stores nothing."""
        if not self.state.is_live:
            return
        self.failure = reason
        self._move(SessionState.FAILED)
        self._emit(Failed(reason))

    # -- stages --------------------------------------------------------------------------------
    def _begin_stage(self, index: int, at_s: float, old: Stage | None = None) -> None:
        self._stage_index = index
        self._stage_started_s = at_s
        self._following.begin_stage(at_s, self._rate_at(self._plan[index]))
        self._emit(StageChanged(old, self._plan[index], at_s))

    def _rate_at(self, stage: Stage) -> RateAt | None:
        """The pacer rate of a stage's moments (None for a stage without a pacer)."""
        rate = stage.rate_bpm
        if rate is None:
            return None
        if self._pacer_rate_at is not None:
            return self._pacer_rate_at
        return lambda _at_s: rate

    def _advance(self, at_s: float) -> None:
        following = self._stage_index + 1
        if following < len(self._plan):
            self._begin_stage(following, at_s, self._plan[self._stage_index])
            return
        # the plan is done: the session ends with the last stage
        self._following.begin_stage(at_s, None)
        self.timer.stop()
        self.duration_s = round(at_s, 3)
        self._emit(StageChanged(self._plan[self._stage_index], None, at_s))
        if self.session_id is not None:
            self._finish(SessionStatus.COMPLETE)
        self._move(SessionState.ENDED)

    def skip_stage(self) -> None:
        """End the current stage now (a rest the user skips)."""
        if self.state in (SessionState.RUNNING, SessionState.RECONNECTING):
            self._advance(self.active_s())

    def end_plan(self) -> None:
        """End the plan now: the current stage stops here and none after it runs."""
        if self.state in (SessionState.RUNNING, SessionState.RECONNECTING):
            del self._plan[self._stage_index + 1 :]
            self._advance(self.active_s())

    def extend(self, stages: Sequence[Stage]) -> None:
        """Run more stages after the plan ended (the session continues where it stopped)."""
        if self.state is not SessionState.ENDED or not stages:
            raise RuntimeError("only an ended session can be extended by stages")
        paused_s = self.timer.wall_s() - self.timer.active_s()
        self.timer = SessionTimer(self.clock, None)
        self.timer.start(self.start_s + paused_s)  # active time goes on from the session's zero
        at_s = self.active_s()
        self._plan.extend(stages)
        self._move(SessionState.RUNNING)
        self._link_down = False
        self._begin_stage(len(self._plan) - len(stages), at_s)

    def tick(self) -> bool:
        """Move stages on by the clock and store a checkpoint when due (call it from a timer).

        Time goes on after a source failure (a pacer carries on), so a timed session still
        ends by itself then. Returns True when a checkpoint was stored."""
        active_s = self._move_stages()
        if not self._counting():
            return False
        checkpointed = self._checkpoint(active_s)
        self._emit(Tick(active_s))
        self._read_following(active_s)
        return checkpointed

    def _read_following(self, active_s: float) -> None:
        for read in self._following.due(active_s):
            self._emit(read)

    def _move_stages(self) -> float:
        """End the stages whose time is up; returns the active time looked at."""
        active_s = self.active_s()
        while self._counting():
            stage = self._plan[self._stage_index]
            if stage.length_s is None:
                break
            end_s = self._stage_started_s + stage.length_s
            if active_s < end_s:
                break
            self._advance(end_s)
        return active_s

    def _takes_data(self) -> bool:
        return self.state.is_live

    def _counting(self) -> bool:
        return self.timer.state == "running" and self.state in _COUNTING

    def _checkpoint(self, active_s: float) -> bool:
        if self.session_id is None or active_s < self._checkpoint_at_s:
            return False
        self.store.checkpoint_session(self.session_id, active_s=round(active_s, 3))
        self._checkpoint_at_s = active_s + CHECKPOINT_EVERY_S
        self._emit(Checkpointed(active_s))
        return True

    # -- the source ----------------------------------------------------------------------------
    async def run(self) -> None:
        """Consume the source until it ends; an error in it fails the session (never raised)."""
        source = self.source
        if source is None:
            return
        try:
            # `stop()` stops the source, which then ends this loop; never break out of it
            async for item in source:
                self.feed(item)
        except Exception as exc:
            self.fail(f"{SOURCE_STOPPED}: {exc}")

    def feed(self, item: SourceItem) -> None:
        """One item from the source: store it, move state and stages on."""
        if isinstance(item, Sample):
            self._on_sample(item)
        else:
            self._on_event(item)

    def _on_sample(self, sample: Sample) -> None:
        if not self.state.is_live:
            return
        recorder = self.recorder
        if recorder is None:
            if self.start_at is not StartAt.CONTACT or not sample.is_reading:
                self._emit(SamplesArrived(sample, ()))  # not recorded: no session time yet
                return
            recorder = self._record_from(sample.arrival_s)
            self._move(SessionState.RUNNING)
            self._begin_stage(0, 0.0)
        self._move_stages()
        if not self._takes_data():
            return  # a session that reached its end takes no more data
        beats = recorder.on_sample(sample)
        self.beats_received += len(beats)
        for beat in beats:
            self._following.add_beat(beat.t_ms / 1000.0, beat.rr_ms, beat.gap_before)
        self._emit(SamplesArrived(sample, beats))
        if beats and self._plan[self._stage_index].kind is StageKind.WAITING:
            self._advance(self.active_s())
        self._move_stages()
        if beats and self._counting():
            self._read_following(self.active_s())

    def _on_event(self, event: ConnectionEvent) -> None:
        if not self.state.is_live:
            return
        kind = event.kind
        if self.recorder is None:  # waiting for the strap to start the session
            self._emit(ConnectionChanged(event))
            if kind is EventKind.CONNECTED:
                self._connected_once = True
            if kind is EventKind.CONNECTED and self.start_at is StartAt.CONNECTED:
                self._create(event.name, event.address)
                recorder = self._record_from(event.at_s)
                self._move(SessionState.RUNNING)
                self._begin_stage(0, 0.0)
                recorder.on_event(event)
            elif kind is EventKind.FAILED:
                self.fail(event.message or SOURCE_STOPPED)
            return
        self.recorder.on_event(event)
        if kind is EventKind.CONNECTED:
            self._connected_once = True
            self._link_down = False
        elif kind in (EventKind.DISCONNECTED, EventKind.RECONNECTING):
            self._link_down = True
        self._emit(ConnectionChanged(event))
        if kind is EventKind.FAILED:
            self.fail(event.message or SOURCE_STOPPED)
        elif self.state is not SessionState.PAUSED:
            self._move(self._link_state())
        self._move_stages()

    def _mark(self, wall_s: float, kind: str, detail: str | None = None) -> None:
        if self.session_id is not None:
            self.store.add_mark(self.session_id, MarkRecord(wall_s * 1000.0, kind, detail))

    def mark(self, at_s: float, kind: str, detail: str | None = None) -> None:
        """Store a mark at session time `at_s` (a driver's own marks, e.g. step starts)."""
        self._mark(at_s, kind, detail)


def _plan_length(plan: Sequence[Stage]) -> float | None:
    """The active length of a plan whose stages are all timed, else None."""
    lengths = [stage.length_s for stage in plan]
    if any(length is None for length in lengths):
        return None
    return float(sum(length for length in lengths if length is not None))
