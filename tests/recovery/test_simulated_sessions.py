"""Demo-strap sessions are practice: marked at the source, never counted in a measured view.

End to end through the real commands: a demo morning check leaves `trend --json` unchanged, a
real readiness recording (imported from tests/data) moves it.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.cli import main
from app.commands import record as record_command
from app.formats.export import session_dict
from app.recovery.baseline import TREND_KEYS
from app.recovery.daily_values import (
    CachedReadinessSource,
    ReadinessValue,
    daily_values,
    readiness_values,
    resting_hr_table,
)
from app.recovery.recovery_history import recovery_points
from app.store import Store, open_store
from app.store.daily import readiness_records, save_readiness_result
from app.store.migrations import MIGRATIONS
from app.store.records import DEMO_SENSOR_ADDRESS, BeatRecord, LogEntry, MarkRecord
from sensors.simulated import DEMO_ADDRESS

REST_FILE = Path(__file__).resolve().parents[1] / "data" / "rr" / "rest_5min_pyhrv_short.txt"
CET = timezone(timedelta(hours=1))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def trend(capsys: pytest.CaptureFixture[str], db_path: Path) -> list[dict[str, object]]:
    code, out, err = run(capsys, "trend", "--json", "--db", str(db_path))
    assert (code, err) == (0, "")
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def test_the_store_knows_the_demo_strap_address() -> None:
    assert DEMO_SENSOR_ADDRESS == DEMO_ADDRESS == "demo"  # the migration's SQL names it literally


def test_demo_morning_check_leaves_the_trend_alone_and_a_real_one_moves_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    today = date.today()
    store = open_store(db_path)
    for i in range(1, 6):
        store.upsert_log(LogEntry((today - timedelta(days=i)).isoformat(), rmssd_ms=40.0 + i))
    store.close()
    before = trend(capsys, db_path)
    assert [r["date"] for r in before][-1] == (today - timedelta(days=1)).isoformat()
    assert {r["source"] for r in before} == {"manual"}

    # the demo strap at 100x real time through the real `record` command
    monkeypatch.setenv(record_command.DEMO_SPEED_ENV, "100")
    code, out, _ = run(capsys, "record", "--sensor", "demo", "--minutes", "2", "--kind",
                     "readiness", "--db", str(db_path))  # fmt: skip
    assert code == 0
    assert "simulated, never counted" in out
    store = open_store(db_path)
    (demo,) = store.sessions()
    assert (demo.kind, demo.status, demo.simulated) == ("readiness", "complete", True)
    # The demo check itself is analysable: only its being simulated keeps it out.
    assert CachedReadinessSource().analyse(store, demo.id).rmssd_ms > 0
    store.close()
    assert trend(capsys, db_path) == before

    code, _, err = run(capsys, "import", str(REST_FILE), "--kind", "readiness", "--at",
                       f"{today.isoformat()}T07:00:00", "--db", str(db_path))  # fmt: skip
    assert code == 0, err
    after = trend(capsys, db_path)
    assert after[:-1] == before
    last = after[-1]
    assert tuple(last) == TREND_KEYS
    assert last["date"] == today.isoformat() and last["source"] == "morning_check"
    store = open_store(db_path)
    real = [s for s in store.sessions() if not s.simulated]
    assert len(real) == 1
    expected = CachedReadinessSource().analyse(store, real[0].id).rmssd_ms
    store.close()
    assert last["ln_rmssd"] == pytest.approx(math.log(expected))


def _stored_check(
    store: Store,
    started_at: datetime,
    rmssd_ms: float,
    *,
    sensor_address: str | None = None,
    simulated: bool = False,
) -> int:
    sid = store.start_session(
        "readiness", started_at, sensor_address=sensor_address, simulated=simulated
    )
    store.finish_session(sid, ended_at=started_at + timedelta(minutes=2), duration_s=120.0)
    save_readiness_result(
        store,
        sid,
        rmssd_ms=rmssd_ms,
        mean_hr_bpm=60.0,
        artifact_pct=0.0,
        refused=None,
        analyzed_with="test",
    )
    return sid


def test_every_way_of_naming_the_demo_strap_marks_the_session(tmp_path: Path) -> None:
    store = open_store(tmp_path / "b.db")
    flagged = store.start_session("breathing", simulated=True)
    by_address = store.start_session("readiness", sensor_address=DEMO_ADDRESS)
    later = store.start_session("breathing")
    store.set_sensor(later, "Demo strap", DEMO_ADDRESS)
    real = store.start_session("breathing", sensor_name="H10", sensor_address="AA:BB")
    store.set_sensor(real, "H10", "AA:BB")
    marked = {s.id: s.simulated for s in store.sessions()}
    assert marked == {flagged: True, by_address: True, later: True, real: False}
    assert [s.id for s in store.sessions(include_simulated=False)] == [real]
    assert store.session(later) is not None and store.session(later).simulated  # type: ignore[union-attr]


def test_simulated_checks_never_give_a_day_value(tmp_path: Path) -> None:
    store = open_store(tmp_path / "b.db")
    day1 = datetime(2026, 3, 2, 7, 0, tzinfo=CET)
    demo = _stored_check(store, day1 - timedelta(minutes=30), 90.0, sensor_address=DEMO_ADDRESS)
    real = _stored_check(store, day1, 40.0, sensor_address="AA:BB")
    _stored_check(store, day1 + timedelta(days=1), 95.0, sensor_address=DEMO_ADDRESS)

    def every_value(_store: Store, session: object) -> ReadinessValue:
        sid = session.id  # type: ignore[attr-defined]
        at = session.started_at  # type: ignore[attr-defined]
        return ReadinessValue(sid, at, 90.0, 60.0)

    assert [v.session_id for v in readiness_values(store, every_value)] == [real]
    values = daily_values(store, CachedReadinessSource(version="test"))
    assert dict(values.rmssd_ms) == {day1.date(): 40.0}
    assert set(readiness_records(store)) == {real}
    assert demo in readiness_records(store, include_simulated=True)


def _recovery_session(
    store: Store,
    started_at: datetime,
    *,
    sensor_address: str | None = None,
    simulated: bool = False,
) -> int:
    """A session that starts at a raised heart rate and settles: one recovery episode."""
    sid = store.start_session(
        "recording", started_at, sensor_address=sensor_address, simulated=simulated
    )
    beats: list[BeatRecord] = []
    t_ms = 0.0
    while t_ms < 240_000.0:
        hr = 62.0 + 38.0 * math.exp(-t_ms / 1000.0 / 40.0)
        rr = 60_000.0 / hr
        t_ms += rr
        beats.append(BeatRecord(t_ms, rr))
    store.add_beats(sid, beats)
    store.add_mark(sid, MarkRecord(0.0, "stressor"))
    store.finish_session(sid, ended_at=started_at + timedelta(minutes=4), duration_s=240.0)
    return sid


def test_recovery_history_leaves_out_demo_sessions(tmp_path: Path) -> None:
    store = open_store(tmp_path / "b.db")
    start = datetime(2026, 3, 2, 18, 0, tzinfo=CET)
    _recovery_session(store, start, sensor_address="AA:BB")
    _recovery_session(store, start + timedelta(days=1), simulated=True)
    table = resting_hr_table(daily_values(store))
    points = recovery_points(store, table)
    assert points, "the real session should give a recovery"
    assert {p.day for p in points} == {start.date()}


def test_json_export_keeps_the_mark_and_old_files_still_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = open_store(tmp_path / "a.db")
    demo = _stored_check(source, datetime(2026, 3, 2, 7, tzinfo=CET), 80.0, simulated=True)
    assert session_dict(source, source.session(demo))["simulated"] is True  # type: ignore[arg-type]
    source.close()
    out = tmp_path / "all.json"
    assert run(capsys, "export", "--format", "json", "--out", str(out),
               "--db", str(tmp_path / "a.db"))[0] == 0  # fmt: skip
    doc = json.loads(out.read_text())
    assert doc["sessions"][0]["simulated"] is True
    # An export made before the field existed: a plain session, and a demo one known by address.
    old = json.loads(out.read_text())
    old_session = old["sessions"][0]
    del old_session["simulated"]
    old_session["sensor"] = None
    named = json.loads(json.dumps(old_session))
    named["id"] = 99
    named["started_at"] = "2026-03-03T07:00:00.000+01:00"
    named["ended_at"] = "2026-03-03T07:02:00.000+01:00"
    named["sensor"] = {"name": "Demo strap", "address": "demo"}
    old["sessions"].append(named)
    old_file = tmp_path / "old.json"
    old_file.write_text(json.dumps(old))
    for path, db in ((out, "b.db"), (old_file, "c.db")):
        code, _, err = run(capsys, "import", str(path), "--db", str(tmp_path / db))
        assert code == 0, err
    roundtrip = open_store(tmp_path / "b.db")
    assert [s.simulated for s in roundtrip.sessions()] == [True]
    roundtrip.close()
    older = open_store(tmp_path / "c.db")
    marks = {s.started_at.date().day: s.simulated for s in older.sessions()}
    assert marks == {2: False, 3: True}
    older.close()


def test_migration_marks_old_demo_sessions(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path)
    for number in range(1, 4):
        with conn:
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
    with conn:
        conn.executemany(
            "INSERT INTO sessions (id, kind, started_at, status, sensor_name, sensor_address)"
            " VALUES (?, 'readiness', '2026-01-02T07:00:00.000+01:00', 'complete', ?, ?)",
            [
                (1, "Demo strap", "demo"),
                (2, "Polar H10", "AA:BB:CC"),
                (3, None, None),
                (4, "Demo strap", None),  # named only, as the demo strap names itself
            ],
        )
    conn.close()
    store = open_store(path)
    marks = {s.id: s.simulated for s in store.sessions()}
    assert marks == {1: True, 2: False, 3: False, 4: True}
    store.close()
