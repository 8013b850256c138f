"""The real program in several processes on one database at once: nothing fails, nothing is lost.

A `record` with the (sped-up) demo strap runs while other processes import day-long recordings,
back up, try to restore, or run the desktop app. Every beat it received must be stored once and
in order, no process may fail with "database is locked", and every status must be right.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.formats.backup import validate_backup
from app.session.engine import MIN_KEPT_S
from tests.concurrency.procs import (
    Child,
    app_env,
    assert_beats_in_order,
    lock_files,
    recorded_s,
    run,
    session_row,
    start,
    stored_beats,
    write_day_files,
)

START_TIMEOUT_S = 60.0


def start_recording(tmp_path: Path, db: Path) -> tuple[Child, int]:
    child = start(tmp_path, "record", db, "record", "--sensor", "demo", "--minutes", "600")
    match = child.wait_for(r"recording session (\d+)", START_TIMEOUT_S)
    return child, int(match.group(1))


def finish_recording(child: Child, db: Path, session_id: int) -> int:
    """Once it is long enough to keep, stop it like Ctrl-C; check the summary, the order of
    beats and the status."""
    child.wait_until(lambda: recorded_s(db, session_id) >= MIN_KEPT_S + 5.0, START_TIMEOUT_S)
    assert child.stop() == 0, child.stderr
    assert "locked" not in child.stderr
    summary = child.stdout
    assert f"session {session_id}:" in summary
    n_beats = assert_beats_in_order(db, session_id)
    assert f" {n_beats} beats" in summary  # every beat received is stored, once
    assert session_row(db, session_id) == ("complete", "recording")
    assert lock_files(db) == []
    return n_beats


@pytest.mark.slow
def test_record_while_importing_day_long_recordings(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    files = write_day_files(tmp_path / "days", count=6, n_beats=100_000)
    recording, session_id = start_recording(tmp_path, db)
    try:
        before = assert_beats_in_order(db, session_id)
        result = run(db, "import", *map(str, files), timeout_s=180)
        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr
        assert result.stdout.count("imported as session") == 6
        during = assert_beats_in_order(db, session_id)
        assert during > before  # the recording went on storing while the import ran
        assert session_row(db, session_id)[0] == "active"
    finally:
        n_beats = finish_recording(recording, db, session_id)
    assert n_beats >= during
    conn = sqlite3.connect(db)
    try:
        counts = conn.execute(
            "SELECT count(*) FROM beats JOIN sessions ON sessions.id = beats.session_id"
            " WHERE sessions.id != ? GROUP BY sessions.id",
            (session_id,),
        ).fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        staging = conn.execute("SELECT count(*) FROM sessions WHERE status = 'staging'")
        assert staging.fetchone()[0] == 0
    finally:
        conn.close()
    assert [c[0] for c in counts] == [100_000] * 6


@pytest.mark.slow
def test_restore_refuses_while_recording_then_works(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    files = write_day_files(tmp_path / "days", count=1, n_beats=500)
    assert run(db, "import", str(files[0])).returncode == 0
    backup = tmp_path / "backup.db"
    assert run(db, "backup", "--out", str(backup)).returncode == 0
    recording, session_id = start_recording(tmp_path, db)
    try:
        refused = run(db, "restore", str(backup))
        assert refused.returncode == 2
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert f"session {session_id}, recording, started " in lines[0]
        assert "Traceback" not in refused.stderr
        assert session_row(db, session_id) == ("active", "recording")
        assert not list(tmp_path.glob("shared.before-restore-*"))
    finally:
        finish_recording(recording, db, session_id)
    restored = run(db, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "restored 1 sessions" in restored.stdout


@pytest.mark.slow
def test_backups_while_recording(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    recording, session_id = start_recording(tmp_path, db)
    try:
        for n in range(3):
            out = tmp_path / f"b{n}.db"
            result = run(db, "backup", "--out", str(out))
            assert result.returncode == 0, result.stderr
            assert "locked" not in result.stderr
            validate_backup(out)
        assert session_row(db, session_id)[0] == "active"
    finally:
        finish_recording(recording, db, session_id)


@pytest.mark.slow
def test_two_apps_and_a_recording_share_the_database(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    recording, record_id = start_recording(tmp_path, db)
    live: Child | None = None
    app: Child | None = None
    try:
        # an app window recording a live demo session; it starts by closing dead sessions
        live_err = tmp_path / "live.err"
        with live_err.open("wb") as err_file:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.gui_live.drive_live_session", str(db)],
                stdout=subprocess.DEVNULL,
                stderr=err_file,
                stdin=subprocess.DEVNULL,
                env=app_env(),
            )
        live = Child(proc, tmp_path / "live.none", live_err)
        live_id = int(live.wait_for(r"live session started (\d+)", START_TIMEOUT_S).group(1))
        live.wait_until(lambda: stored_beats(db, live_id) > 0, START_TIMEOUT_S)
        # a second app on the same database
        app = start(tmp_path, "app", db, "--verbose")
        app.wait_for("baseline: ready", START_TIMEOUT_S)  # its check of open sessions is done
        # neither start touched the running recordings
        assert session_row(db, record_id) == ("active", "recording")
        assert session_row(db, live_id)[0] == "active"
        live.kill()  # the first app dies (power loss)
        after = run(db, "trend")
        assert after.returncode == 0, after.stderr
        assert f"session {live_id} " in after.stderr and "interrupted" in after.stderr
        assert session_row(db, live_id)[0] == "interrupted"
        assert session_row(db, record_id)[0] == "active"  # the live recorder is left alone
        again = run(db, "trend")
        assert "interrupted" not in again.stderr  # told once
        assert assert_beats_in_order(db, live_id) > 0  # its beats are kept
    finally:
        if live is not None:
            live.kill()
        if app is not None:
            app.stop()
            assert "locked" not in app.stderr
        finish_recording(recording, db, record_id)
