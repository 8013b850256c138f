"""One database, several writers: busy writes are buffered, sessions are owned by their process."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.formats.backup import recording_blocks_restore
from app.session.recorder import SessionRecorder
from app.store import Store, open_store
from app.store.database import STAGING_STATUS
from app.store.records import MarkRecord
from sensors.hrs import HeartRateMeasurement
from sensors.source import ConnectionEvent, EventKind, Sample


@contextmanager
def write_locked(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection holding the database's write lock (as a long import would)."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def packet(n: int, at_s: float) -> Sample:
    """A packet carrying one beat of 800 + n ms."""
    return Sample(HeartRateMeasurement(70 + n % 5, True, None, (800.0 + n,)), at_s)


def lock_files(db_path: Path) -> list[str]:
    return sorted(p.name for p in db_path.parent.glob(f"{db_path.name}.session-*.lock"))


def test_recorder_buffers_while_another_writer_holds_the_lock(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    recorder = SessionRecorder(store, sid, lambda: 0.0, start_s=0.0)
    for n in range(3):
        recorder.on_sample(packet(n, 1.0 + n))
    with write_locked(db_path):
        for n in range(3, 10):
            recorder.on_sample(packet(n, 1.0 + n))  # must neither fail nor block for long
        recorder.on_event(ConnectionEvent(EventKind.DISCONNECTED, 10.5, message="lost"))
        recorder.on_event(ConnectionEvent(EventKind.CONNECTED, 10.8, address="AA"))
        assert recorder.pending_count == 7 * 2 + 2  # readings + beats + two marks, waiting
        reader = open_store(db_path)
        assert len(reader.beats(sid)) == 3
        reader.close()
    recorder.on_sample(packet(10, 11.0))  # the next packet writes the buffer first
    assert recorder.pending_count == 0
    beats = store.beats(sid)
    assert [b.rr_ms for b in beats] == [800.0 + n for n in range(11)]
    assert [b.t_ms for b in beats] == sorted(b.t_ms for b in beats)
    seqs = [r[0] for r in store.conn.execute("SELECT seq FROM beats WHERE session_id = ?", (sid,))]
    assert sorted(seqs) == list(range(11))
    assert [r.bpm for r in store.heart_rate(sid)] == [70 + n % 5 for n in range(11)]
    assert [m.kind for m in store.marks(sid)] == ["gap_start", "gap_end"]
    assert store.marks(sid)[0] == MarkRecord(10500.0, "gap_start", "lost")


def test_finishing_writes_what_was_buffered(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    recorder = SessionRecorder(store, sid, lambda: 0.0, start_s=0.0)
    with write_locked(db_path):
        for n in range(5):
            recorder.on_sample(packet(n, 1.0 + n))
        assert recorder.pending_count == 10
    store.finish_session(sid, duration_s=6.0)
    assert [b.rr_ms for b in store.beats(sid)] == [800.0 + n for n in range(5)]
    assert recorder.pending_count == 0
    session = store.session(sid)
    assert session is not None and session.status == "complete"


def test_a_live_owner_is_left_alone_and_a_gone_one_is_closed(db_path: Path) -> None:
    recorder_store = open_store(db_path)  # stands for the `record` process
    sid = recorder_store.start_session("recording")
    assert lock_files(db_path) == [f"{db_path.name}.session-{sid}.lock"]
    app_store = open_store(db_path)  # the app starting meanwhile
    assert app_store.close_unfinished() == []
    running = app_store.session(sid)
    assert running is not None and running.status == "active"
    assert [s.id for s in app_store.running_sessions()] == [sid]
    problem = recording_blocks_restore(app_store)
    assert problem is not None and f"session {sid}, recording" in problem

    recorder_store.close()  # gone without finishing
    assert app_store.close_unfinished() == [sid]
    closed = app_store.session(sid)
    assert closed is not None and closed.status == "interrupted"
    assert app_store.close_unfinished() == []  # told once
    assert app_store.running_sessions() == []
    assert lock_files(db_path) == []
    app_store.close()


def test_a_finished_session_leaves_no_lock_file(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("breathing")
    store.finish_session(sid)
    assert lock_files(db_path) == []
    other = open_store(db_path)
    assert other.running_sessions() == []
    other.close()
    store.close()


def stage_row(store: Store) -> int:
    with store.write_transaction() as conn:
        cur = conn.execute(
            "INSERT INTO sessions (kind, started_at, status) VALUES ('recording', ?, ?)",
            ("2026-03-01T07:00:00.000+00:00", STAGING_STATUS),
        )
        assert cur.lastrowid is not None
        sid = int(cur.lastrowid)
        store.own_session(sid)
        conn.execute(
            "INSERT INTO beats (session_id, seq, t_ms, rr_ms, artifact, gap_before)"
            " VALUES (?, 0, 800, 800, 0, 0)",
            (sid,),
        )
    return sid


def test_staged_rows_are_hidden_kept_while_their_importer_lives_then_deleted(
    db_path: Path,
) -> None:
    importer = open_store(db_path)
    sid = stage_row(importer)
    reader = open_store(db_path)
    assert reader.sessions() == [] and reader.session(sid) is None
    assert reader.close_unfinished() == []
    assert reader.conn.execute("SELECT count(*) FROM beats").fetchone()[0] == 1
    importer.close()  # the importer is gone before its last step
    assert reader.close_unfinished() == []  # nothing to tell: the batch never existed
    assert reader.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert reader.conn.execute("SELECT count(*) FROM beats").fetchone()[0] == 0
    assert lock_files(db_path) == []
    reader.close()


def test_an_in_memory_store_counts_its_own_session_as_running() -> None:
    store = open_store(":memory:")
    sid = store.start_session("recording")
    assert [s.id for s in store.running_sessions()] == [sid]
    store.finish_session(sid)
    assert store.running_sessions() == []


@pytest.mark.parametrize("stray_id", [7, 12345])
def test_stray_lock_files_are_removed(db_path: Path, stray_id: int) -> None:
    store = open_store(db_path)
    stray = db_path.with_name(f"{db_path.name}.session-{stray_id}.lock")
    stray.write_bytes(b"")
    assert store.close_unfinished() == []
    assert not stray.exists()
    store.close()
