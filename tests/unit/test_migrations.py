"""Every earlier schema version migrates to the current one, keeping its data.

The schema a migrated database ends with must be the one a new database gets.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store import open_store
from app.store.migrations import MIGRATIONS, SCHEMA_VERSION


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(t, n, " ".join((sql or "").split())) for t, n, sql in rows]


def _database_at(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    for number in range(1, version + 1):
        with conn:
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
    if version >= 1:
        with conn:
            conn.execute(
                "INSERT INTO sessions (id, kind, started_at, status) VALUES"
                " (7, 'recording', '2026-01-02T07:00:00.000+01:00', 'complete')"
            )
            conn.executemany(
                "INSERT INTO beats (session_id, seq, t_ms, rr_ms) VALUES (7, ?, ?, ?)",
                [(0, 812.5, 812.5), (1, 1625.0, 812.5)],
            )
            conn.execute("INSERT INTO daily_log (date, rmssd_ms, updated_at) VALUES (?, ?, ?)",
                         ("2026-01-02", 42.0, "2026-01-02T08:00:00+01:00"))  # fmt: skip
    conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_version_migrates_to_the_current_schema(tmp_path: Path, version: int) -> None:
    fresh = open_store(tmp_path / "fresh.db")
    expected = _schema(fresh.conn)
    fresh.close()

    old = tmp_path / f"v{version}.db"
    _database_at(old, version)
    store = open_store(old)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert _schema(store.conn) == expected
    if version >= 1:
        assert [b.rr_ms for b in store.beats(7)] == [812.5, 812.5]
        assert [e.rmssd_ms for e in store.log_entries()] == [42.0]
    assert store.integrity_ok()
