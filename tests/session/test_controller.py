"""The Qt-free live session: items in, stored beats/marks and connection states out."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.breathing import BreathingPattern
from app.session.controller import (
    ConnectionState,
    ConnectionStatus,
    LiveSession,
    next_connection_state,
)
from app.session.core_metrics import CoreAnalysis
from app.store import open_store
from sensors.source import ConnectionEvent, EventKind, Sample
from tests.stubs import FakeClock, strap_sample


def sample(clock: FakeClock, bpm: int, units: tuple[int, ...], contact: bool = True) -> Sample:
    return strap_sample(clock.now_s, bpm, units, contact=contact)


def test_items_are_recorded_and_tracked(db_path: Path) -> None:
    store = open_store(db_path)
    clock = FakeClock(1000.0)
    session = LiveSession(store, BreathingPattern(rate_bpm=6.0), CoreAnalysis(), clock=clock)
    sid = session.start()
    session.on_item(ConnectionEvent(EventKind.SCANNING, clock.now_s))
    assert session.connection.status == "scanning"
    clock.advance(1.0)
    session.on_item(
        ConnectionEvent(EventKind.CONNECTED, clock.now_s, name="H10", address="AA", battery_pct=80)
    )
    assert session.connection == ConnectionState(
        status=ConnectionStatus.CONNECTED, name="H10", address="AA", battery_pct=80
    )
    record = store.session(sid)
    assert record is not None and record.sensor_name == "H10"
    clock.advance(1.0)
    session.on_item(sample(clock, 0, (), contact=False))  # settling: neither reading nor beat
    assert session.beats_received == 0
    for _ in range(5):
        clock.advance(1.0)
        session.on_item(sample(clock, 64, (960,)))
    assert session.beats_received == 5
    assert session.connection.contact is True
    clock.advance(3.0)
    session.on_item(ConnectionEvent(EventKind.DISCONNECTED, clock.now_s, message="out of range"))
    assert session.connection.link_down
    assert session.snapshot().link_down_since_s is not None
    session.on_item(ConnectionEvent(EventKind.RECONNECTING, clock.now_s + 1, attempt=2))
    assert session.connection.attempt == 2
    clock.advance(6.0)
    session.on_item(ConnectionEvent(EventKind.CONNECTED, clock.now_s, name="H10", address="AA"))
    clock.advance(1.0)
    session.on_item(sample(clock, 64, (960, 970)))
    beats = store.beats(sid)
    assert [b.rr_ms for b in beats] == [937.5] * 6 + [970 * 1000 / 1024]
    assert [b.gap_before for b in beats] == [False] * 5 + [True, False]
    snap = session.snapshot()
    assert snap.link_down_since_s is None and len(snap.gap_spans) == 1
    kinds = [m.kind for m in store.marks(sid)]
    assert kinds == ["gap_start", "gap_end"]
    session.pause()
    clock.advance(10.0)
    session.resume()
    clock.advance(25.0)
    assert session.stop() == sid
    session.on_item(sample(clock, 64, (960,)))  # after the end: ignored
    record = store.session(sid)
    assert record is not None and record.status == "complete"
    assert record.duration_s == pytest.approx(clock.now_s - 1000.0 - 10.0)
    assert [m.kind for m in store.marks(sid)] == ["gap_start", "gap_end", "pause", "resume"]
    assert len(store.beats(sid)) == 7
    store.close()


def test_failed_source_leaves_the_gap_open(db_path: Path) -> None:
    store = open_store(db_path)
    clock = FakeClock(1000.0)
    session = LiveSession(store, BreathingPattern(), CoreAnalysis(), clock=clock)
    session.start()
    clock.advance(2.0)
    session.on_item(sample(clock, 60, (1024,)))
    clock.advance(2.0)
    session.on_item(ConnectionEvent(EventKind.FAILED, clock.now_s, message="Bluetooth is off"))
    clock.advance(5.0)
    snap = session.snapshot()
    assert session.connection.status == "failed" and session.running  # the pacer goes on
    assert snap.link_down_since_s == pytest.approx(2.0)
    assert snap.gap_spans[-1] == pytest.approx((2.0, 9.0))
    store.close()


def test_connection_states_for_failure_and_missing_rr() -> None:
    state = next_connection_state(
        ConnectionState(status=ConnectionStatus.CONNECTED, name="H10"),
        ConnectionEvent(EventKind.FAILED, 0.0, message="Bluetooth is off"),
    )
    assert state.status == "failed" and state.message == "Bluetooth is off"
    assert state.name == "H10"
    lost = next_connection_state(state, ConnectionEvent(EventKind.RR_UNAVAILABLE, 1.0))
    assert not lost.rr_available


def test_checkpoints_keep_the_active_length_for_a_crash(db_path: Path) -> None:
    store = open_store(db_path)
    clock = FakeClock(1000.0)
    session = LiveSession(store, BreathingPattern(), CoreAnalysis(), clock=clock)
    sid = session.start()  # pacer only: no beats will ever show how far it got
    assert not session.tick()
    clock.advance(3.4)
    assert session.tick()
    session.pause()
    clock.advance(20.0)
    assert not session.tick()  # paused time is not active time
    session.resume()
    clock.advance(1.2)
    assert session.tick()
    # The app dies here; the next start closes the session with the checkpointed length.
    assert store.close_unfinished() == [sid]
    record = store.session(sid)
    assert record is not None and record.status == "interrupted"
    assert record.duration_s == pytest.approx(4.6)
    store.close()
