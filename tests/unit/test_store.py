"""The store: file mode, WAL, migrations, sessions, beats, the log, settings, crash recovery."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.store import open_store
from app.store.database import SourceState
from app.store.migrations import SCHEMA_VERSION, SchemaTooNewError
from app.store.records import BeatRecord, HeartRateRecord, LogEntry, MarkRecord, SettingKey
from app.store.validation import SessionKind, SessionStatus


def test_new_database_is_private_wal_and_current(db_path: Path) -> None:
    store = open_store(db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()
    # Reopening migrates nothing and keeps data.
    again = open_store(db_path)
    assert again.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_default_path_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.store import default_db_path

    monkeypatch.setenv("BASELINE_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"


def test_newer_schema_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        open_store(db_path)


def test_session_lifecycle_and_soft_delete(db_path: Path) -> None:
    store = open_store(db_path)
    start = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    first = store.start_session("breathing", start, rate_bpm=5.5)
    second = store.start_session("breathing", start.replace(hour=8), rate_bpm=6.0)
    store.finish_session(first, ended_at=start.replace(minute=40), duration_s=600.0)
    store.set_reflection(first, stress_before=7, stress_after=3, note="calmer")
    assert [s.id for s in store.sessions()] == [second, first]
    got = store.session(first)
    assert got is not None
    assert (got.status, got.duration_s, got.stress_before, got.stress_after, got.note) == (
        "complete",
        600.0,
        7,
        3,
        "calmer",
    )
    assert got.started_at == start
    store.delete_session(first)
    assert [s.id for s in store.sessions()] == [second]
    store.undelete_session(first)
    assert [s.id for s in store.sessions()] == [second, first]
    store.delete_session(first)
    assert store.purge_deleted() == 1
    assert store.session(first) is None


def test_beats_keep_order_and_unfinished_sessions_close_as_interrupted(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    store.add_beats(sid, [BeatRecord(800.0, 800.0), BeatRecord(1610.0, 810.0)])
    store.add_beats(sid, [BeatRecord(2400.0, 790.0, gap_before=True)])
    store.add_heart_rate(
        sid, [HeartRateRecord(1000.0, 74, True), HeartRateRecord(2000.0, 75, None)]
    )
    store.add_mark(sid, MarkRecord(1500.0, "pause"))
    store.close()

    reopened = open_store(db_path)
    assert reopened.close_unfinished() == [sid]
    session = reopened.session(sid)
    assert session is not None and session.status == "interrupted"
    assert session.ended_at is not None
    assert (session.ended_at - session.started_at).total_seconds() == pytest.approx(2.4)
    assert [b.rr_ms for b in reopened.beats(sid)] == [800.0, 810.0, 790.0]
    assert [b.gap_before for b in reopened.beats(sid)] == [False, False, True]
    assert [r.contact for r in reopened.heart_rate(sid)] == [True, None]
    assert reopened.marks(sid) == [MarkRecord(1500.0, "pause")]
    assert reopened.close_unfinished() == []
    assert reopened.integrity_ok()


def test_log_upsert_replaces_and_settings_round_trip(db_path: Path) -> None:
    store = open_store(db_path)
    store.upsert_log(LogEntry("2026-03-02", rmssd_ms=40.0, mood=3))
    store.upsert_log(LogEntry("2026-03-01", resting_hr_bpm=58.0))
    store.upsert_log(LogEntry("2026-03-02", rmssd_ms=45.0))
    assert store.log_entries() == [
        LogEntry("2026-03-01", resting_hr_bpm=58.0),
        LogEntry("2026-03-02", rmssd_ms=45.0),
    ]
    assert store.get_setting(SettingKey.APP_SETTINGS) is None
    store.set_setting(SettingKey.APP_SETTINGS, {"rate_bpm": 5.5})
    assert store.get_setting(SettingKey.APP_SETTINGS) == {"rate_bpm": 5.5}


def test_a_setting_key_outside_the_enum_is_refused(db_path: Path) -> None:
    store = open_store(db_path)
    with pytest.raises(ValueError):
        store.set_setting("pacer", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        store.get_setting("pacer")  # type: ignore[arg-type]


def test_manual_log_edit_keeps_values_from_imports(db_path: Path) -> None:
    store = open_store(db_path)
    store.upsert_log(LogEntry("2026-03-02", rmssd_ms=40.0, mood=3))
    with store.conn:
        store.conn.execute("UPDATE daily_log SET sdnn_ms = 61.5 WHERE date = '2026-03-02'")
    store.upsert_log(LogEntry("2026-03-02", resting_hr_bpm=57.0))
    row = store.conn.execute(
        "SELECT rmssd_ms, resting_hr_bpm, mood, sdnn_ms FROM daily_log WHERE date = '2026-03-02'"
    ).fetchone()
    assert row == (None, 57.0, None, 61.5)


def test_a_pacer_only_session_lost_to_a_crash_keeps_its_checkpointed_length(db_path: Path) -> None:
    store = open_store(db_path)
    start = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    sid = store.start_session("breathing", start)
    store.checkpoint_session(sid, active_s=95.5)
    store.close()

    reopened = open_store(db_path)
    assert reopened.close_unfinished() == [sid]
    session = reopened.session(sid)
    assert session is not None and session.status == "interrupted"
    assert session.duration_s == 95.5
    assert session.ended_at is not None and session.ended_at > start
    # A finished session is never touched by a late checkpoint.
    done = reopened.start_session("breathing", start)
    reopened.finish_session(done, ended_at=start, duration_s=10.0)
    reopened.checkpoint_session(done, active_s=99.0)
    finished = reopened.session(done)
    assert finished is not None and finished.duration_s == 10.0 and finished.ended_at == start


def test_the_views_questions_are_answered_by_store_methods(db_path: Path) -> None:
    """What the desktop layer asks (beat counts, whether a file is known, which files are the
    database) is answered by typed store methods, without SQL in the views."""
    store = open_store(db_path)
    start = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    with_beats = store.start_session("recording", start, source_hash="a" * 64)
    store.add_beats(with_beats, [BeatRecord(t_ms=i * 800, rr_ms=800.0) for i in range(5)])
    without = store.start_session("breathing", start.replace(hour=9))
    deleted = store.start_session("recording", start.replace(hour=10), source_hash="b" * 64)
    store.delete_session(deleted)

    assert store.beat_counts() == {with_beats: 5}
    assert without not in store.beat_counts()
    assert store.source_state("a" * 64) is SourceState.KNOWN
    assert store.source_state("b" * 64) is SourceState.DELETED
    assert store.source_state("c" * 64) is SourceState.NEW
    assert store.has_session_at(SessionKind.RECORDING, start)
    assert store.has_session_at("recording", start.astimezone())
    assert not store.has_session_at("breathing", start)
    assert not store.has_session_at("recording", start.replace(hour=10))  # deleted
    files = store.database_files()
    assert files[0].resolve() == db_path.resolve()
    assert {f.name for f in files[1:]} == {
        f"{db_path.name}{s}" for s in ("-wal", "-shm", "-journal")
    }
    store.close()


def test_a_backup_is_restored_through_the_store(db_path: Path, tmp_path: Path) -> None:
    """backup_store / backup_session_count / restore_store: the one way the app backs up and
    restores, and the store's connection reads the restored data."""
    from app.formats.backup import backup_session_count, backup_store, restore_store

    store = open_store(db_path)
    kept = store.start_session("breathing", datetime(2026, 3, 1, 7, 30, tzinfo=UTC))
    store.finish_session(kept, ended_at=datetime(2026, 3, 1, 7, 40, tzinfo=UTC), duration_s=600)
    copy = tmp_path / "copy.db"
    backup_store(store, copy)
    assert backup_session_count(copy) == 1
    store.start_session("breathing", datetime(2026, 3, 2, 7, 30, tzinfo=UTC))
    assert len(store.sessions()) == 2
    result = restore_store(store, copy)
    assert result.n_sessions == 1
    assert result.saved_aside is not None and result.saved_aside.exists()
    assert [s.id for s in store.sessions()] == [kept]
    store.close()


def test_kinds_and_statuses_are_enums_on_the_way_in_and_out(db_path: Path) -> None:
    store = open_store(db_path)
    first = store.start_session(SessionKind.BREATHING)
    second = store.start_session("recording")
    store.finish_session(first, status=SessionStatus.INTERRUPTED)
    records = {r.id: r for r in store.sessions()}
    assert records[first].kind is SessionKind.BREATHING
    assert records[first].status is SessionStatus.INTERRUPTED
    assert records[second].kind is SessionKind.RECORDING
    assert records[second].status is SessionStatus.ACTIVE
    assert [r.id for r in store.sessions(kind=SessionKind.RECORDING)] == [second]
    with pytest.raises(ValueError):
        store.start_session("yoga")
    with pytest.raises(ValueError):
        store.finish_session(second, status="done")
    # a row no version wrote (a hand-edited database) is left out, not a crash
    with store.conn:
        store.conn.execute("UPDATE sessions SET kind = 'yoga' WHERE id = ?", (second,))
    assert [r.id for r in store.sessions()] == [first]
    assert store.session(second) is None
    store.close()
