"""Exports: JSON as in CLI.md and its exact round trip, the CSV folder, Kubios RR text."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.formats.export import export_document
from app.store import Store, open_store
from app.store.daily import (
    WeeklyCheckin,
    all_moments_of_ease,
    save_day,
    save_readiness_extras,
    save_weekly_checkin,
    set_moments_of_ease,
    weekly_checkins,
)
from app.store.records import BeatRecord, HeartRateRecord, LogEntry, MarkRecord
from tests.conftest import DATA_DIR

START = datetime.fromisoformat("2024-03-05T07:00:00.125+01:00")


def sensor_beats(n: int, seed: int) -> list[BeatRecord]:
    """Beats as a strap sends them: RR in 1/1024 s units, a gap and artifacts."""
    rng = np.random.default_rng(seed)
    units = rng.integers(700, 1100, n)
    rr_ms = units * 1000.0 / 1024.0
    t_ms = np.cumsum(rr_ms)
    t_ms[n // 2 :] += 4321.5  # the link dropped for a while
    return [
        BeatRecord(t_ms=float(t), rr_ms=float(rr), artifact=i % 17 == 3, gap_before=i == n // 2)
        for i, (t, rr) in enumerate(zip(t_ms, rr_ms, strict=True))
    ]


def populate(store: Store) -> None:
    first = store.start_session(
        "breathing",
        START,
        sensor_name="Polar H10 ABC",
        sensor_address="AA:BB:CC:DD:EE:FF",
        rate_bpm=5.5,
        pattern_json='{"inhale_s": 4.5, "exhale_s": 6.4}',
    )
    store.add_beats(first, sensor_beats(300, 1))
    store.add_heart_rate(
        first,
        [
            HeartRateRecord(t_ms=1000.0, bpm=64, contact=True),
            HeartRateRecord(t_ms=2000.0, bpm=63, contact=False),
            HeartRateRecord(t_ms=3000.0, bpm=62, contact=None),
        ],
    )
    store.add_mark(first, MarkRecord(t_ms=60000.0, kind="pause"))
    store.add_mark(first, MarkRecord(t_ms=65000.0, kind="resume", detail="after a call"))
    store.finish_session(first, ended_at=START + timedelta(minutes=5, seconds=1), duration_s=295.5)
    store.set_reflection(first, stress_before=4, stress_after=2, note="calmer, ünïcode ok")
    second = store.start_session("readiness", START + timedelta(days=1))
    store.add_beats(second, sensor_beats(120, 2))
    store.close_unfinished()  # leaves it 'interrupted'
    deleted = store.start_session("recording", START + timedelta(days=2))
    store.add_beats(deleted, sensor_beats(10, 3))
    store.delete_session(deleted)
    store.upsert_log(LogEntry(date="2024-03-05", rmssd_ms=41.25, resting_hr_bpm=57.0, sleep=4))
    store.upsert_log(LogEntry(date="2024-03-06", stress=2, mood=5, note="walk in the sun"))
    save_day(store, LogEntry(date="2024-03-07", mood=4), ["tea with a friend", "the sea"])
    set_moments_of_ease(store, "2024-03-08", ["a slow morning"])  # a day with no log entry
    save_weekly_checkin(
        store,
        WeeklyCheckin("2024-03-04", "2024-03-08", steadier_score=4, recovery_note="quicker"),
    )
    save_readiness_extras(store, second, posture="seated", stand_up_s=120.0)


def test_json_matches_cli_contract(db_path: Path, tmp_path: Path) -> None:
    store = open_store(db_path)
    populate(store)
    store.close()
    out = tmp_path / "export.json"
    assert main(["--db", str(db_path), "export", "--format", "json", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == "baseline-export" and doc["version"] == 2
    assert [s["kind"] for s in doc["sessions"]] == ["breathing", "readiness"]  # not the deleted
    first = doc["sessions"][0]
    assert first["started_at"] == "2024-03-05T07:00:00.125+01:00"
    assert first["status"] == "complete" and doc["sessions"][1]["status"] == "interrupted"
    assert first["sensor"] == {"name": "Polar H10 ABC", "address": "AA:BB:CC:DD:EE:FF"}
    assert doc["sessions"][1]["sensor"] is None
    assert set(first["beats"][0]) >= {"t_ms", "rr_ms", "artifact"}
    assert first["beats"][0]["rr_ms"] * 1024 / 1000 == pytest.approx(
        round(first["beats"][0]["rr_ms"] * 1024 / 1000), abs=1e-9
    )
    assert [r["contact"] for r in first["heart_rate"]] == [True, False, None]
    assert set(doc["log"][0]) >= {
        "date", "rmssd_ms", "resting_hr_bpm", "sleep", "stress", "mood", "note",
    }  # fmt: skip


def user_inputs(store: Store) -> tuple[object, object, object]:
    readiness = store.conn.execute(
        "SELECT session_id, posture, stand_up_s FROM readiness ORDER BY session_id"
    ).fetchall()
    return all_moments_of_ease(store), weekly_checkins(store), readiness


def test_json_round_trip_is_exact(db_path: Path, tmp_path: Path) -> None:
    store = open_store(db_path)
    populate(store)
    original = export_document(store)
    before = {
        s.id: (s, store.beats(s.id), store.heart_rate(s.id), store.marks(s.id))
        for s in store.sessions()
    }
    log_before = store.log_entries()
    user_inputs_before = user_inputs(store)
    assert user_inputs_before[0] and user_inputs_before[1] and user_inputs_before[2]
    store.close()
    out = tmp_path / "export.json"
    assert main(["--db", str(db_path), "export", "--format", "json", "--out", str(out)]) == 0
    empty = tmp_path / "empty.db"
    assert main(["--db", str(empty), "import", str(out)]) == 0
    restored = open_store(empty)
    after = {
        s.id: (s, restored.beats(s.id), restored.heart_rate(s.id), restored.marks(s.id))
        for s in restored.sessions()
    }
    assert after == before  # every session field, beat, reading and mark, ids included
    assert restored.log_entries() == log_before
    assert user_inputs(restored) == user_inputs_before
    assert export_document(restored) == original
    restored.close()
    again = tmp_path / "again.json"
    assert main(["--db", str(empty), "export", "--format", "json", "--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()
    # Importing the export again adds nothing.
    assert main(["--db", str(empty), "import", str(out)]) == 0
    check = open_store(empty)
    assert len(check.sessions()) == 2
    check.close()


def test_csv_folder(db_path: Path, tmp_path: Path) -> None:
    store = open_store(db_path)
    populate(store)
    store.close()
    folder = tmp_path / "csv"
    assert main(["--db", str(db_path), "export", "--format", "csv", "--out", str(folder)]) == 0

    def rows(name: str) -> list[dict[str, str]]:
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    sessions = rows("sessions.csv")
    assert [s["kind"] for s in sessions] == ["breathing", "readiness"]
    beats = rows("beats.csv")
    assert len(beats) == 420
    first_beats = [b for b in beats if b["session_id"] == sessions[0]["id"]]
    assert [int(b["gap_before"]) for b in first_beats].count(1) == 1
    assert sum(int(b["artifact"]) for b in first_beats) == sum(i % 17 == 3 for i in range(300))
    assert len(rows("heart_rate.csv")) == 3
    assert [r["date"] for r in rows("log.csv")] == ["2024-03-05", "2024-03-06", "2024-03-07"]
    assert [r["text"] for r in rows("moments_of_ease.csv")] == [
        "tea with a friend",
        "the sea",
        "a slow morning",
    ]
    assert rows("weekly_checkins.csv")[0]["recovery_note"] == "quicker"
    assert rows("log.csv")[1]["note"] == "walk in the sun"


def test_kubios_text_round_trip(db_path: Path, tmp_path: Path) -> None:
    store = open_store(db_path)
    populate(store)
    first = store.sessions()[-1]
    beats = store.beats(first.id)
    store.close()
    out = tmp_path / "session.txt"
    args = ["--db", str(db_path), "export", "--format", "kubios", "--session", str(first.id)]
    assert main([*args, "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 300 and all(len(line.split("\t")) == 2 for line in lines)
    other = tmp_path / "other.db"
    assert main(["--db", str(other), "import", str(out), "--at", "2024-03-05T07:00:00+01:00"]) == 0
    check = open_store(other)
    imported = check.beats(check.sessions()[0].id)
    check.close()
    np.testing.assert_allclose([b.rr_ms for b in imported], [b.rr_ms for b in beats], atol=5e-4)
    assert [b.gap_before for b in imported] == [b.gap_before for b in beats]


def test_kubios_default_is_newest_and_errors(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "k.txt"
    base = ["--db", str(db_path), "export", "--format", "kubios", "--out", str(out)]
    open_store(db_path).close()  # an empty database (export refuses a --db that names nothing)
    assert main(base) == 2
    assert "no sessions" in capsys.readouterr().err
    assert main(["--db", str(db_path), "import", str(DATA_DIR / "formats" / "selfloops.txt")]) == 0
    assert main(base) == 0
    assert len(out.read_text().splitlines()) == 6 + 30
    assert main([*base, "--session", "99"]) == 2
    assert "no session 99" in capsys.readouterr().err
