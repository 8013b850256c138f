"""Rows of the wrong type (text in a number column, an impossible date, broken JSON) are left
out by the store's readers and counted, never raised to the views."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from app.store import Store
from app.store.records import BeatRecord, HeartRateRecord, MarkRecord, SettingKey


def _session(store: Store) -> int:
    started = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    session_id = store.start_session("breathing", started, rate_bpm=6.0)
    store.add_beats(session_id, [BeatRecord(800.0 * (i + 1), 800.0) for i in range(40)])
    store.add_heart_rate(session_id, [HeartRateRecord(1000.0, 70, True)])
    store.add_mark(session_id, MarkRecord(2000.0, "pause"))
    store.finish_session(session_id, ended_at=started.replace(minute=10), duration_s=600.0)
    return session_id


def _sql(store: Store, sql: str, *args: object) -> None:
    store.conn.execute(sql, args)
    store.conn.commit()


def test_sessions_with_values_of_the_wrong_type_are_left_out_and_counted(store: Store) -> None:
    ids = [_session(store) for _ in range(5)]
    assert store.unreadable_rows() == 0
    _sql(store, "UPDATE sessions SET duration_s = 'long' WHERE id = ?", ids[0])
    _sql(store, "UPDATE sessions SET rate_bpm = 'six' WHERE id = ?", ids[1])
    _sql(store, "UPDATE sessions SET stress_after = 'calm' WHERE id = ?", ids[2])
    _sql(store, "UPDATE sessions SET note = x'ff00' WHERE id = ?", ids[3])
    assert [s.id for s in store.sessions()] == [ids[4]]
    assert store.session(ids[0]) is None
    assert store.unreadable_rows() == 4


def test_log_days_that_cannot_be_read_are_left_out(store: Store) -> None:
    for day, rmssd, sleep in (
        ("2026-03-01", 40.0, 3),
        ("2026-13-45", 40.0, 3),  # no such date
        ("2026-03-02", "forty", 3),
        ("2026-03-03", 41.0, "well"),
    ):
        _sql(
            store,
            "INSERT INTO daily_log (date, rmssd_ms, sleep, updated_at) VALUES (?, ?, ?, ?)",
            day,
            rmssd,
            sleep,
            "2026-03-04T00:00:00+00:00",
        )
    assert [e.date for e in store.log_entries()] == ["2026-03-01"]
    assert store.unreadable_rows() == 3


def test_beats_marks_and_readings_of_the_wrong_type(store: Store) -> None:
    session_id = _session(store)
    _sql(store, "UPDATE beats SET rr_ms = 'abc' WHERE session_id = ? AND seq = 3", session_id)
    _sql(store, "UPDATE beats SET t_ms = x'00' WHERE session_id = ? AND seq = 4", session_id)
    _sql(store, "INSERT INTO marks VALUES (?, 'soon', 'resume', NULL)", session_id)
    _sql(store, "INSERT INTO heart_rate VALUES (?, 1500, 'fast', 1)", session_id)
    beats = store.beats(session_id)
    assert len(beats) == 40
    assert math.isnan(beats[3].rr_ms) and math.isnan(beats[4].t_ms)
    assert all(math.isfinite(b.rr_ms) for i, b in enumerate(beats) if i != 3)
    assert [m.kind for m in store.marks(session_id)] == ["pause"]
    assert [r.bpm for r in store.heart_rate(session_id)] == [70]


def test_a_setting_that_is_not_json_reads_as_unset(store: Store) -> None:
    _sql(
        store,
        "INSERT OR REPLACE INTO settings (key, value_json) VALUES (?, '{not json')",
        SettingKey.APP_SETTINGS.value,
    )
    assert store.get_setting(SettingKey.APP_SETTINGS) is None
