"""The session engine's state machine, with a hand-driven clock and a hand-fed source."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.session.engine import MIN_KEPT_S, SessionEngine, SessionSpec, StartAt, single_stage
from app.session.events import (
    Checkpointed,
    ConnectionChanged,
    Failed,
    SamplesArrived,
    SessionEvent,
    Stage,
    StageChanged,
    StateChanged,
    Tick,
)
from app.session.state import IllegalTransitionError, SessionState, StageKind, check_transition
from app.store import Store, open_store
from app.store.records import SessionKind, SessionRecord
from sensors.source import ConnectionEvent, EventKind
from tests.stubs import FakeClock, ScriptedSource, strap_sample

S = SessionState


@pytest.fixture
def store(db_path: Path) -> Store:
    return open_store(db_path)


def state_of(engine: SessionEngine) -> SessionState:
    return engine.state


def stored(store: Store, session_id: int) -> SessionRecord:
    session = store.session(session_id)
    assert session is not None
    return session


def states(events: list[SessionEvent]) -> list[SessionState]:
    return [e.new for e in events if isinstance(e, StateChanged)]


def engine_with(
    store: Store,
    clock: FakeClock,
    source: ScriptedSource | None = None,
    plan: tuple[Stage, ...] = single_stage(None),
    *,
    start_at: StartAt = StartAt.NOW,
) -> tuple[SessionEngine, list[SessionEvent]]:
    engine = SessionEngine(
        store,
        SessionSpec(SessionKind.BREATHING),
        source=source,
        clock=clock,
        plan=plan,
        start_at=start_at,
    )
    events: list[SessionEvent] = []
    engine.subscribe(events.append)
    return engine, events


def test_illegal_transitions_raise() -> None:
    check_transition(S.IDLE, S.RUNNING)
    check_transition(S.ENDED, S.RUNNING)
    for old, new in [(S.IDLE, S.ENDED), (S.INTERRUPTED, S.RUNNING), (S.FAILED, S.RUNNING)]:
        with pytest.raises(IllegalTransitionError):
            check_transition(old, new)


def test_a_started_session_cannot_start_again(store: Store) -> None:
    engine, _ = engine_with(store, FakeClock(1000.0))
    engine.start()
    with pytest.raises(RuntimeError):
        engine.start()


def test_pacer_only_runs_pauses_resumes_and_stores_its_active_time(store: Store) -> None:
    clock = FakeClock(1000.0)
    engine, events = engine_with(store, clock)
    sid = engine.start()
    assert sid is not None and state_of(engine) is S.RUNNING
    clock.advance(10.0)
    engine.pause()
    clock.advance(100.0)
    assert engine.active_s() == pytest.approx(10.0)
    engine.resume()
    clock.advance(25.0)
    assert engine.stop() == sid
    assert states(events) == [S.RUNNING, S.PAUSED, S.RUNNING, S.ENDED]
    session = stored(store, sid)
    assert session.status == "complete" and session.duration_s == pytest.approx(35.0)
    marks = store.marks(sid)
    assert [m.kind for m in marks] == ["pause", "resume"]
    assert [m.t_ms for m in marks] == pytest.approx([10_000.0, 110_000.0])


def test_checkpoints_every_second_of_active_time(store: Store) -> None:
    clock = FakeClock(1000.0)
    engine, events = engine_with(store, clock)
    sid = engine.start()
    assert sid is not None
    engine.tick()
    clock.advance(2.5)
    engine.tick()
    engine.tick()
    assert [e.active_s for e in events if isinstance(e, Checkpointed)] == [2.5]
    assert [e.active_s for e in events if isinstance(e, Tick)] == [0.0, 2.5, 2.5]
    assert stored(store, sid).duration_s == pytest.approx(2.5)


def test_a_timed_session_ends_by_itself_at_its_length(store: Store) -> None:
    clock = FakeClock(1000.0)
    engine, events = engine_with(store, clock, plan=single_stage(60.0))
    sid = engine.start()
    assert sid is not None
    clock.advance(75.0)
    engine.tick()
    assert state_of(engine) is S.ENDED
    assert stored(store, sid).duration_s == pytest.approx(60.0)
    stage_changes = [e for e in events if isinstance(e, StageChanged)]
    assert stage_changes[-1].new is None and stage_changes[-1].at_s == pytest.approx(60.0)


def test_stages_advance_by_clock_after_the_first_beat(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    plan = (
        Stage(StageKind.WAITING),
        Stage(StageKind.STEP, 30.0, 6.5, 0),
        Stage(StageKind.REST, 10.0, 6.0, 1),
        Stage(StageKind.STEP, 30.0, 6.0, 1),
    )
    engine, events = engine_with(store, clock, source, plan)
    engine.start()
    assert state_of(engine) is S.CONNECTING
    clock.advance(100.0)
    engine.tick()  # waiting is open: nothing moves before a beat
    assert engine.stage == plan[0]
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.now_s, name="H10", address="AA"))
    assert state_of(engine) is S.RUNNING
    clock.advance(5.0)
    engine.feed(strap_sample(clock.now_s, 60, (1024,)))
    assert engine.stage == plan[1] and engine.stage_started_s == pytest.approx(105.0)
    clock.advance(35.0)
    engine.tick()
    assert engine.stage == plan[2] and engine.stage_left_s() == pytest.approx(5.0)
    engine.skip_stage()
    assert engine.stage == plan[3] and engine.stage_started_s == pytest.approx(140.0)
    clock.advance(30.0)
    engine.tick()
    assert state_of(engine) is S.ENDED and engine.duration_s == pytest.approx(170.0)
    kinds = [(e.old, e.new) for e in events if isinstance(e, StageChanged)]
    assert [new.kind if new else None for _, new in kinds] == [
        StageKind.WAITING,
        StageKind.STEP,
        StageKind.REST,
        StageKind.STEP,
        None,
    ]
    # the ended plan can be extended by a repeat; active time goes on from the session's zero
    clock.advance(20.0)
    engine.extend([Stage(StageKind.STEP, 30.0, 6.5, 0)])
    assert state_of(engine) is S.RUNNING and engine.stage_started_s == pytest.approx(190.0)
    clock.advance(30.0)
    engine.tick()
    assert state_of(engine) is S.ENDED and engine.duration_s == pytest.approx(220.0)


def test_reconnect_goes_through_reconnecting_and_back(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, events = engine_with(store, clock, source)
    sid = engine.start()
    assert sid is not None
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.now_s, name="H10", address="AA"))
    engine.feed(strap_sample(clock.advance(1.0), 60, (1024,)))
    engine.feed(ConnectionEvent(EventKind.DISCONNECTED, clock.advance(1.0), message="lost"))
    assert state_of(engine) is S.RECONNECTING
    engine.pause()
    engine.feed(ConnectionEvent(EventKind.RECONNECTING, clock.advance(1.0), attempt=1))
    engine.resume()
    assert state_of(engine) is S.RECONNECTING  # the link is still down after the pause
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.advance(1.0), address="AA"))
    assert states(events) == [
        S.CONNECTING,
        S.RUNNING,
        S.RECONNECTING,
        S.PAUSED,
        S.RECONNECTING,
        S.RUNNING,
    ]
    assert [m.kind for m in store.marks(sid)] == ["gap_start", "pause", "resume", "gap_end"]
    assert any(isinstance(e, SamplesArrived) and e.beats for e in events)


def test_source_failure_reaches_every_subscriber_and_the_session_is_kept(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, first = engine_with(store, clock, source)
    second: list[SessionEvent] = []
    engine.subscribe(second.append)
    sid = engine.start()
    assert sid is not None
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.now_s, address="AA"))
    engine.feed(strap_sample(clock.advance(1.0), 60, (1024,)))
    engine.feed(ConnectionEvent(EventKind.FAILED, clock.advance(1.0), message="Bluetooth is off"))
    for events in (first, second):
        assert Failed("Bluetooth is off") in events
        assert states(events)[-1] is S.FAILED
    engine.feed(strap_sample(clock.advance(1.0), 60, (1024,)))  # nothing after a failure
    assert engine.beats_received == 1
    clock.advance(33.0)
    assert engine.cancel() == sid
    assert state_of(engine) is S.INTERRUPTED and source.stopped
    session = stored(store, sid)
    assert session.status == "interrupted" and session.duration_s == pytest.approx(36.0)


def test_an_error_inside_the_source_fails_the_session(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, events = engine_with(store, clock, source)
    engine.start()
    source.connect(clock.now_s)
    source.fail_with = OSError("adapter gone")
    source.end()
    asyncio.run(engine.run())
    assert state_of(engine) is S.FAILED
    failed = [e for e in events if isinstance(e, Failed)]
    assert len(failed) == 1 and "adapter gone" in failed[0].reason


def test_start_at_connect_stores_nothing_until_the_strap_connects(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, events = engine_with(store, clock, source, start_at=StartAt.CONNECTED)
    assert engine.start() is None and state_of(engine) is S.CONNECTING
    engine.feed(ConnectionEvent(EventKind.SCANNING, clock.now_s))
    clock.advance(4.0)
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.now_s, name="H10", address="AA"))
    sid = engine.session_id
    assert sid is not None and engine.start_s == clock.now_s
    engine.feed(strap_sample(clock.advance(2.0), 60, (1024,)))
    clock.advance(30.0)
    engine.stop()
    session = stored(store, sid)
    assert (session.sensor_name, session.status) == ("H10", "complete")
    assert session.duration_s == pytest.approx(32.0)
    assert sum(isinstance(e, ConnectionChanged) for e in events) == 2


def test_a_strap_that_never_connects_fails_without_a_session(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, events = engine_with(store, clock, source, start_at=StartAt.CONNECTED)
    engine.start()
    engine.feed(ConnectionEvent(EventKind.FAILED, clock.now_s, message="no strap found"))
    assert state_of(engine) is S.FAILED and engine.session_id is None
    assert Failed("no strap found") in events
    assert engine.stop() is None and store.sessions() == []


def test_a_sample_after_the_length_ends_the_session_and_is_not_stored(store: Store) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, _ = engine_with(store, clock, source, single_stage(30.0))
    sid = engine.start()
    assert sid is not None
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.now_s, address="AA"))
    engine.feed(strap_sample(clock.advance(10.0), 60, (1024,)))
    engine.feed(strap_sample(clock.advance(25.0), 60, (1024,)))
    assert state_of(engine) is S.ENDED and engine.beats_received == 1
    assert len(store.beats(sid)) == 1
    assert stored(store, sid).duration_s == pytest.approx(30.0)


def test_start_at_contact_opens_the_record_and_counts_from_the_first_contact(
    store: Store,
) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, events = engine_with(store, clock, source, single_stage(60.0), start_at=StartAt.CONTACT)
    sid = engine.start()
    assert sid is not None and state_of(engine) is S.CONNECTING
    engine.pause()  # no session time yet: nothing to pause
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.advance(1.0), address="AA"))
    engine.feed(strap_sample(clock.advance(1.0), 0))  # settling, no contact yet
    assert state_of(engine) is S.CONNECTING and engine.recorder is None
    engine.feed(strap_sample(clock.advance(3.0), 60, (1024,)))
    assert state_of(engine) is S.RUNNING and engine.start_s == clock.now_s
    clock.advance(61.0)
    engine.tick()
    assert state_of(engine) is S.ENDED
    assert stored(store, sid).duration_s == pytest.approx(60.0)
    assert next(e for e in events if isinstance(e, SamplesArrived)).beats == ()


@pytest.mark.parametrize("end", ["stop", "cancel"])
def test_a_session_shorter_than_30_s_is_not_kept(store: Store, end: str) -> None:
    clock = FakeClock(1000.0)
    source = ScriptedSource()
    engine, events = engine_with(store, clock, source)
    sid = engine.start()
    assert sid is not None
    engine.feed(ConnectionEvent(EventKind.CONNECTED, clock.now_s, address="AA"))
    for _ in range(20):
        engine.feed(strap_sample(clock.advance(1.0), 60, (1024,)))
    engine.mark(5.0, "stressor")
    clock.advance(MIN_KEPT_S - 20.0 - 0.5)
    assert getattr(engine, end)() is None
    assert engine.discarded and engine.session_id is None
    assert engine.duration_s == pytest.approx(MIN_KEPT_S - 0.5)
    assert store.session(sid) is None and store.sessions() == []
    assert store.beats(sid) == [] and store.marks(sid) == [] and store.heart_rate(sid) == []
    assert states(events)[-1] in (S.ENDED, S.INTERRUPTED)
    assert store.running_sessions() == []  # its lock is let go too


def test_a_session_of_30_s_is_kept(store: Store) -> None:
    clock = FakeClock(1000.0)
    engine, _ = engine_with(store, clock)
    sid = engine.start()
    clock.advance(MIN_KEPT_S)
    assert engine.stop() == sid and not engine.discarded
    assert sid is not None and stored(store, sid).duration_s == pytest.approx(MIN_KEPT_S)


def test_a_plan_that_ends_under_30_s_is_not_kept(store: Store) -> None:
    clock = FakeClock(1000.0)
    engine, _ = engine_with(store, clock, plan=single_stage(20.0))
    sid = engine.start()
    assert sid is not None
    clock.advance(21.0)
    engine.tick()
    assert engine.state is S.ENDED and engine.discarded
    assert store.sessions() == []


def test_the_shortest_kept_length_can_be_chosen(store: Store) -> None:
    clock = FakeClock(1000.0)
    engine = SessionEngine(store, SessionSpec(SessionKind.BREATHING), clock=clock, min_kept_s=0.0)
    sid = engine.start()
    clock.advance(2.0)
    assert engine.stop() == sid
    assert sid is not None and stored(store, sid).status == "complete"
