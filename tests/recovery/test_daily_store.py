"""Migration 2 from a version-1 database with data, and the daily-input store functions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from app.store import open_store
from app.store.daily import (
    ReadinessRecord,
    RecoveryEpisodeRecord,
    WeeklyCheckin,
    all_moments_of_ease,
    analysed_sessions,
    delete_day,
    log_entry,
    moments_of_ease,
    readiness_record,
    readiness_records,
    recovery_episodes,
    save_day,
    save_readiness_extras,
    save_readiness_result,
    save_recovery_episodes,
    save_weekly_checkin,
    set_moments_of_ease,
    weekly_checkins,
)
from app.store.migrations import MIGRATIONS, SCHEMA_VERSION, migrate
from app.store.records import BeatRecord, LogEntry, SettingKey

NEW_TABLES = {
    "moments_of_ease",
    "weekly_checkins",
    "readiness",
    "recovery_episodes",
    "recovery_analysed",
}


def _version_1_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO sessions (id, kind, started_at, status) VALUES"
            " (1, 'readiness', '2026-03-01T07:00:00.000+01:00', 'complete')"
        )
        conn.execute(
            "INSERT INTO beats (session_id, seq, t_ms, rr_ms)"
            " VALUES (1, 0, 900, 900), (1, 1, 1810, 910)"
        )
        conn.execute(
            "INSERT INTO daily_log (date, rmssd_ms, resting_hr_bpm, sleep, note, updated_at)"
            " VALUES ('2026-03-01', 42.0, 58.0, 4, 'slept well', '2026-03-01T08:00:00+01:00')"
        )
        conn.execute(
            "INSERT INTO settings (key, value_json) VALUES ('app_settings', '{\"rate\": 6}')"
        )
    conn.close()


def test_migration_2_keeps_version_1_data_and_adds_tables(db_path: Path) -> None:
    assert SCHEMA_VERSION >= 2
    _version_1_database(db_path)
    store = open_store(db_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables >= NEW_TABLES
    assert store.log_entries() == [LogEntry("2026-03-01", 42.0, 58.0, 4, None, None, "slept well")]
    assert [b.rr_ms for b in store.beats(1)] == [900.0, 910.0]
    assert store.get_setting(SettingKey.APP_SETTINGS) == {"rate": 6}
    # The new tables work on the migrated data.
    save_readiness_extras(store, 1, posture="seated", stand_up_s=120.0)
    assert readiness_record(store, 1) == ReadinessRecord(1, "seated", 120.0)
    assert store.integrity_ok()


def test_migrating_twice_is_a_no_op(db_path: Path) -> None:
    _version_1_database(db_path)
    conn = sqlite3.connect(db_path)
    assert migrate(conn) == 1
    assert migrate(conn) == SCHEMA_VERSION
    conn.close()


def test_save_day_replaces_entry_and_moments_only_when_given(db_path: Path) -> None:
    store = open_store(db_path)
    save_day(store, LogEntry("2026-03-02", rmssd_ms=40.0, mood=3), ["warm tea", "sunlight"])
    assert moments_of_ease(store, "2026-03-02") == ("warm tea", "sunlight")
    save_day(store, LogEntry("2026-03-02", sleep=2))
    assert log_entry(store, "2026-03-02") == LogEntry("2026-03-02", sleep=2)
    assert moments_of_ease(store, "2026-03-02") == ("warm tea", "sunlight")
    save_day(store, LogEntry("2026-03-02", sleep=2), ["a kind message"])
    assert moments_of_ease(store, "2026-03-02") == ("a kind message",)
    set_moments_of_ease(store, "2026-03-01", ["music"])
    assert all_moments_of_ease(store) == {
        "2026-03-01": ("music",),
        "2026-03-02": ("a kind message",),
    }
    delete_day(store, "2026-03-02")
    assert log_entry(store, "2026-03-02") is None
    assert moments_of_ease(store, "2026-03-02") == ()


def test_weekly_checkin_replaces_within_the_week(db_path: Path) -> None:
    store = open_store(db_path)
    save_weekly_checkin(
        store, WeeklyCheckin("2026-03-02", "2026-03-03", 2, "only while breathing", 3)
    )
    save_weekly_checkin(store, WeeklyCheckin("2026-03-02", "2026-03-06", 4, "steadier", 4, "yes"))
    save_weekly_checkin(store, WeeklyCheckin("2026-02-23", "2026-02-28", 1, None, None))
    got = weekly_checkins(store)
    assert [c.week_start for c in got] == ["2026-02-23", "2026-03-02"]
    assert got[1] == WeeklyCheckin("2026-03-02", "2026-03-06", 4, "steadier", 4, "yes")


def test_readiness_extras_and_results_do_not_overwrite_each_other(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("readiness", datetime(2026, 3, 1, 7, tzinfo=UTC))
    save_readiness_result(
        store,
        sid,
        rmssd_ms=45.0,
        mean_hr_bpm=60.0,
        artifact_pct=0.5,
        refused=None,
        analyzed_with="v1",
    )
    save_readiness_extras(store, sid, posture="lying", stand_up_s=60.0, hr_rise_peak_bpm=22.0)
    got = readiness_record(store, sid)
    assert got == ReadinessRecord(sid, "lying", 60.0, 22.0, None, 45.0, 60.0, 0.5, None, "v1")
    assert readiness_records(store) == {sid: got}


def test_recovery_cache_and_purge_cascade(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("breathing", datetime(2026, 3, 1, 18, tzinfo=UTC))
    other = store.start_session("breathing", datetime(2026, 3, 2, 18, tzinfo=UTC))
    store.add_beats(sid, [BeatRecord(800.0, 800.0)])
    episode = RecoveryEpisodeRecord(sid, 12.0, "stressor", 95.0, 14.0, 31.0, 0.93, "v1")
    save_recovery_episodes(store, sid, [episode], "v1")
    save_recovery_episodes(store, other, [], "v1")
    assert recovery_episodes(store) == [episode]
    assert analysed_sessions(store, "v1") == {sid, other}
    assert analysed_sessions(store, "v2") == set()
    save_readiness_extras(store, sid, posture="seated")
    store.delete_session(sid)
    assert store.purge_deleted() == 1
    assert recovery_episodes(store) == []
    assert analysed_sessions(store, "v1") == {other}
    assert readiness_record(store, sid) is None


def test_week_start_is_monday() -> None:
    from app.recovery.manual_log import week_start

    assert week_start(date(2026, 3, 4)) == date(2026, 3, 2)
    assert week_start(date(2026, 3, 2)) == date(2026, 3, 2)
    assert week_start(date(2026, 3, 8)) == date(2026, 3, 2)
