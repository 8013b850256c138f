"""Crash safety: a recording or a live session killed with SIGKILL loses at most about a second.

After the kill the database is reopened as the app does on start: the unfinished session is
closed as `interrupted`, its beats up to the last second are there, and the file is intact.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.store import open_store
from app.ui.app import build_window

ROOT = Path(__file__).resolve().parents[2]
RUN_S = 15.0


def run_and_kill(args: list[str], ready_line: str, db_path: Path) -> float:
    """Start a process, wait for `ready_line` on stderr, SIGKILL it RUN_S later; the kill time."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BASELINE_DB=str(db_path))
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 60.0
        while True:
            line = proc.stderr.readline()
            if ready_line in line:
                break
            if not line and proc.poll() is not None:
                raise AssertionError(f"{args} ended before {ready_line!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {ready_line!r} from {args}")
        time.sleep(RUN_S)
        killed_at = datetime.now().astimezone()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return killed_at.timestamp()


def check_recovered(db_path: Path, killed_at: float) -> int:
    store = open_store(db_path)
    try:
        assert store.integrity_ok()  # PRAGMA integrity_check
        active = [s for s in store.sessions() if s.status == "active"]
        assert len(active) == 1
        session_id = active[0].id
        assert store.close_unfinished() == [session_id]
        record = store.session(session_id)
        assert record is not None and record.status == "interrupted"
        beats = store.beats(session_id)
        assert len(beats) >= 8
        last_beat_at = record.started_at.timestamp() + beats[-1].t_ms / 1000.0
        # Packets come about once a second and each is committed on arrival.
        assert killed_at - last_beat_at < 2.5
        assert record.ended_at is not None and record.duration_s is not None
        # The length is the last checkpoint (every second) or, without one, the data's span.
        assert record.duration_s >= beats[-1].t_ms / 1000.0 - 1.5
        t = [b.t_ms for b in beats]
        assert t == sorted(t)
        assert store.close_unfinished() == []  # closed once; nothing left to tell next time
        return session_id
    finally:
        store.close()


@pytest.mark.slow
def test_killed_record_command_loses_at_most_a_second(tmp_path: Path) -> None:
    db_path = tmp_path / "record.db"
    killed_at = run_and_kill(
        [sys.executable, "-m", "app", "--db", str(db_path), "record", "--sensor", "demo"],
        "connected",
        db_path,
    )
    check_recovered(db_path, killed_at)


@pytest.mark.slow
def test_killed_live_session_loses_at_most_a_second(tmp_path: Path, qapp: QApplication) -> None:
    db_path = tmp_path / "live.db"
    killed_at = run_and_kill(
        [sys.executable, "-m", "tests.gui_live.drive_live_session", str(db_path)],
        "live session started",
        db_path,
    )
    store = open_store(db_path)
    try:
        record = store.sessions()[0]
        assert record.status == "active" and record.kind == "breathing"
        assert record.sensor_name == "Demo strap"
    finally:
        store.close()
    check_recovered_and_told(db_path, killed_at)


def check_recovered_and_told(db_path: Path, killed_at: float) -> None:
    """What the app does on the next start: close as interrupted, and say so once."""
    store = open_store(db_path)
    try:
        assert store.integrity_ok()
        interrupted = store.close_unfinished()
        assert len(interrupted) == 1
        window = build_window(store)
        window.notify_interrupted(len(interrupted))
        assert "interrupted" in window.statusBar().currentMessage()
        window.statusBar().clearMessage()
        window.notify_interrupted(len(store.close_unfinished()))  # the next start: nothing
        assert window.statusBar().currentMessage() == ""
        record = store.session(interrupted[0])
        assert record is not None and record.status == "interrupted"
        assert record.duration_s is not None and record.duration_s > RUN_S - 2.0
        beats = store.beats(interrupted[0])
        assert len(beats) >= 8
        last_beat_at = record.started_at.timestamp() + beats[-1].t_ms / 1000.0
        assert killed_at - last_beat_at < 2.5
        window.close()
        window.deleteLater()
    finally:
        store.close()
