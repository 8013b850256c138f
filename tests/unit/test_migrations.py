"""Every earlier schema version migrates to the current one, keeping its data.

The schema a migrated database ends with must be the one a new database gets.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from app.breathing.resonance import AssessmentResult, StepResult
from app.store import open_store
from app.store.assessments import (
    assessment_result,
    past_assessment_results,
    save_assessment_result,
)
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


def _step(rate_bpm: float, **extra: object) -> dict[str, object]:
    return {"rate_bpm": rate_bpm, "n_beats": 140, "analysed_s": 110.0, "swing_bpm": 9.5,
            "lf_peak_hz": rate_bpm / 60.0, "lf_peak_power_ms2": 900.0, "lf_power_ms2": 1500.0,
            "phase_deg": 12.0, "lf_peak_count": 1, "coherence": 6.5, "artifact_pct": 0.5,
            "reason": None, **extra}  # fmt: skip


def test_assessment_results_move_from_settings_into_their_table(tmp_path: Path) -> None:
    """Version 5 moves every readable result out of the settings; unreadable ones stay put."""
    path = tmp_path / "v4.db"
    _database_at(path, 4)
    good = {
        "session_id": 8,
        "finished_at": "2026-01-03T07:20:00+01:00",
        "steps": [_step(6.5), _step(6.0), _step(5.5, reason="too many artifacts", swing_bpm=None)],
        "recommended_bpm": 6.0,
        "reason": "largest swing",
        "confirmed_bpm": 6.0,
    }
    none_found = {**good, "session_id": 9, "steps": [], "recommended_bpm": None,
                  "confirmed_bpm": None, "reason": "no clean step"}  # fmt: skip
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO sessions (id, kind, started_at, status) VALUES (?, 'assessment', ?, ?)",
            [(8, "2026-01-03T07:00:00.000+01:00", "complete"),
             (9, "2026-01-04T07:00:00.000+01:00", "complete"),
             (10, "2026-01-05T07:00:00.000+01:00", "complete")],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO settings (key, value_json) VALUES (?, ?)",
            [
                ("resonance_assessment:8", json.dumps(good)),
                ("resonance_assessment:9", json.dumps(none_found)),
                ("resonance_assessment:10", "{not json"),  # hand-edited: left alone
                ("resonance_assessment:99", json.dumps({**good, "session_id": 99})),  # no session
                ("resonance_assessment:11", json.dumps({**good, "recommended_bpm": "six"})),
                ("app_settings", json.dumps({"rate_bpm": 6.0})),
            ],
        )
    conn.close()

    store = open_store(path)

    moved = assessment_result(store, 8)
    assert moved is not None
    assert moved == AssessmentResult(
        session_id=8,
        finished_at="2026-01-03T07:20:00+01:00",
        steps=(
            StepResult(**_step(6.5)),  # type: ignore[arg-type]
            StepResult(**_step(6.0)),  # type: ignore[arg-type]
            StepResult(**_step(5.5, reason="too many artifacts", swing_bpm=None)),  # type: ignore[arg-type]
        ),
        recommended_bpm=6.0,
        reason="largest swing",
        confirmed_bpm=6.0,
    )
    assert not moved.steps[2].usable and moved.steps[1].usable
    empty = assessment_result(store, 9)
    assert empty is not None and empty.steps == () and empty.recommended_bpm is None
    assert assessment_result(store, 10) is None
    assert [r.session_id for r in past_assessment_results(store)] == [9, 8]
    left = [r[0] for r in store.conn.execute("SELECT key FROM settings ORDER BY key")]
    assert left == [
        "app_settings",
        "resonance_assessment:10",
        "resonance_assessment:11",
        "resonance_assessment:99",
    ]
    store.close()


def test_an_assessment_result_round_trips_and_goes_with_its_session(tmp_path: Path) -> None:
    store = open_store(tmp_path / "b.db")
    session_id = store.start_session("assessment")
    result = AssessmentResult(
        session_id=session_id,
        finished_at="2026-01-03T07:20:00+01:00",
        steps=(StepResult(6.5, 120, 100.0), StepResult(**_step(6.0))),  # type: ignore[arg-type]
        recommended_bpm=6.0,
        reason="largest swing",
    )
    save_assessment_result(store, result)
    assert assessment_result(store, session_id) == result
    confirmed = replace(result, confirmed_bpm=6.0, steps=result.steps[1:])
    save_assessment_result(store, confirmed)
    assert assessment_result(store, session_id) == confirmed
    store.delete_session(session_id)
    assert past_assessment_results(store) == []
    store.purge_deleted()
    assert assessment_result(store, session_id) is None
    assert store.conn.execute("SELECT count(*) FROM assessment_steps").fetchone()[0] == 0
    store.close()
