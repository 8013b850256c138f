"""`baseline import`: all-or-nothing over several files, one transaction, idempotent by content."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.formats import importer
from app.formats.importer import import_files, read_all, write_all
from app.store import open_store
from app.store.records import LogEntry, SessionKind
from tests.conftest import DATA_DIR

EXPORTS = DATA_DIR / "exports"
FIXTURES = DATA_DIR / "formats"
HRM = EXPORTS / "polar_protrainer_exercise_rri.hrm"
EMPATICA = EXPORTS / "empatica_e4_S02_IBI.csv"
WELLTORY = EXPORTS / "welltory_subject_01_RR.txt"


def counts(db: Path) -> tuple[int, int, int]:
    store = open_store(db)
    try:
        conn = store.conn
        return (
            conn.execute("SELECT count(*) FROM sessions").fetchone()[0],
            conn.execute("SELECT count(*) FROM beats").fetchone()[0],
            conn.execute("SELECT count(*) FROM daily_log").fetchone()[0],
        )
    finally:
        store.close()


def test_imports_several_files(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(db_path), "import", str(HRM), str(EMPATICA), "--kind", "readiness"])
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("polar_protrainer_exercise_rri.hrm: polar-hrm, start 2008-02-08T08:50")
    assert "4117 beats: imported" in out[0]
    assert "empatica-ibi" in out[1] and "360 beats: imported" in out[1]
    store = open_store(db_path)
    sessions = sorted(store.sessions(), key=lambda s: s.id)
    assert [s.kind for s in sessions] == ["readiness", "readiness"]
    assert [s.status for s in sessions] == ["complete", "complete"]
    beats = store.beats(sessions[1].id)
    assert len(beats) == 360 and sum(b.gap_before for b in beats) == 62
    assert sessions[0].ended_at is not None
    assert sessions[0].ended_at - sessions[0].started_at == timedelta(seconds=2561.791)
    store.close()


def test_one_bad_file_means_nothing_is_written(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "truncated.hrm"
    bad.write_bytes(HRM.read_bytes()[:300])  # cut inside [Params], no [HRData]
    daily = FIXTURES / "elite_hrv_readings.csv"
    code = main(["--db", str(db_path), "import", str(HRM), str(daily), str(bad), str(EMPATICA)])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0]
    assert counts(db_path) == (0, 0, 0)


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00garbage", b"not rr at all\n"])
def test_bad_input_exit_2(
    db_path: Path, tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    assert main(["--db", str(db_path), "import", str(WELLTORY), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.txt" in err
    assert counts(db_path) == (0, 0, 0)


def test_missing_file(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "import", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt: file not found" in capsys.readouterr().err


def test_write_failure_rolls_back_everything(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = read_all([HRM, FIXTURES / "elite_hrv_readings.csv"])

    def broken(*args: object) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer, "_write_daily", broken)
    store = open_store(db_path)
    with pytest.raises(RuntimeError):
        write_all(store, items)
    store.close()
    assert counts(db_path) == (0, 0, 0)


def test_same_file_is_stored_once(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "renamed.txt"
    shutil.copyfile(WELLTORY, copy)
    assert main(["--db", str(db_path), "import", str(WELLTORY), str(WELLTORY)]) == 0
    first = capsys.readouterr().out.splitlines()
    assert "imported as session" in first[0] and "already imported" in first[1]
    assert main(["--db", str(db_path), "import", str(copy)]) == 0
    assert "already imported (session 1)" in capsys.readouterr().out
    assert counts(db_path)[:2] == (1, 100)


def test_reimporting_a_deleted_recording_brings_it_back(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "import", str(WELLTORY)]) == 0
    store = open_store(db_path)
    store.delete_session(store.sessions()[0].id)
    assert store.sessions() == []
    store.close()
    capsys.readouterr()
    assert main(["--db", str(db_path), "import", str(WELLTORY)]) == 0
    assert "100 beats: restored (session 1)" in capsys.readouterr().out
    assert counts(db_path)[:2] == (1, 100)


def test_start_from_at_or_mtime(db_path: Path, tmp_path: Path) -> None:
    plain = tmp_path / "rr.txt"
    plain.write_text("800\n900\n1000\n" * 10)
    other = tmp_path / "rr2.txt"
    other.write_text("700\n" * 30)
    mtime = datetime(2024, 3, 5, 8, 0, 0).astimezone()
    os.utime(other, (mtime.timestamp(), mtime.timestamp()))
    assert (
        main(["--db", str(db_path), "import", str(plain), "--at", "2024-03-05T07:00:00+01:00"]) == 0
    )
    assert main(["--db", str(db_path), "import", str(other)]) == 0
    store = open_store(db_path)
    by_hash = {s.duration_s: s for s in store.sessions()}
    assert by_hash[27.0].started_at == datetime.fromisoformat("2024-03-05T07:00:00+01:00")
    # Without a start anywhere, the recording is taken to end at the file's modification time.
    assert by_hash[21.0].started_at == mtime - timedelta(seconds=21.0)
    store.close()


def test_bad_at(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "import", str(WELLTORY), "--at", "yesterday"]) == 2
    assert "--at" in capsys.readouterr().err


def test_summary_exports_fill_the_log(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(db_path)
    store.upsert_log(LogEntry(date="2024-03-05", sleep=4, note="slept well", rmssd_ms=30.0))
    store.close()
    files = [str(FIXTURES / "elite_hrv_readings.csv"), str(FIXTURES / "apple_health_export.xml")]
    assert main(["--db", str(db_path), "import", *files]) == 0
    out = capsys.readouterr().out
    assert "elite-hrv-readings, 3 days: imported" in out
    assert "apple-health, 3 days: imported" in out
    store = open_store(db_path)
    rows = {
        r[0]: r[1:]
        for r in store.conn.execute(
            "SELECT date, rmssd_ms, resting_hr_bpm, sdnn_ms, sleep, note FROM daily_log"
        )
    }
    store.close()
    # Elite HRV's morning reading replaces RMSSD; the manual sleep and note stay.
    assert rows["2024-03-05"] == (52.7, 55.0, 66.4, 4, "slept well")
    # Apple's SDNN lands in sdnn_ms only; RMSSD stays empty.
    assert rows["2024-03-04"] == (48.2, 58.0, 52.0, None, None)
    assert rows["2024-03-06"][0] == pytest.approx(49.0088, abs=1e-3)
    assert rows["2024-03-06"][2] == 70.25
    hrv4t = str(FIXTURES / "hrv4training.csv")
    assert main(["--db", str(db_path), "import", hrv4t]) == 0
    assert "3 days: imported" in capsys.readouterr().out
    assert main(["--db", str(db_path), "import", hrv4t]) == 0
    assert "3 days: already imported" in capsys.readouterr().out


def test_import_files_api(db_path: Path) -> None:
    store = open_store(db_path)
    outcomes = import_files(store, [FIXTURES / "suunto_move.sml"], kind=SessionKind.BREATHING)
    got = [(o.format, o.status, o.n_beats) for o in outcomes]
    assert got == [("suunto-sml", "imported", 8 + 30)]
    session = store.session(outcomes[0].session_id or 0)
    assert session is not None and session.kind == "breathing"
    assert [b.gap_before for b in store.beats(session.id)].count(True) == 2
    store.close()
