"""Kill `baseline export` and `baseline backup` at random moments: nothing is ever half written.

Each command runs as the real program in a subprocess and gets SIGKILL at 50 points in time
spread over its normal duration (seeded). After every kill the database passes SQLite's integrity
check and the target is either what it was before or complete; one more run afterwards leaves no
partial file behind.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store import open_store
from app.store.records import BeatRecord, HeartRateRecord

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

N_KILLS = 50
N_SESSIONS = 20
N_BEATS = 600
ROOT = Path(__file__).resolve().parents[2]
OLD_CONTENT = b'{"old": "content"}\n'


def make_database(path: Path) -> None:
    store = open_store(path)
    try:
        for i in range(N_SESSIONS):
            session = store.start_session("recording")
            store.add_beats(
                session,
                [
                    BeatRecord(t_ms=800.0 * (k + 1), rr_ms=800.0 + ((k * 7 + i) % 50) * 0.9765625)
                    for k in range(N_BEATS)
                ],
            )
            store.add_heart_rate(
                session,
                [HeartRateRecord(t_ms=1000.0 * k, bpm=60, contact=True) for k in range(100)],
            )
            store.finish_session(session)
    finally:
        store.close()


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def run_to_end(args: list[str]) -> float:
    began = time.monotonic()
    proc = start(args)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode(errors="replace")
    return time.monotonic() - began


def run_and_kill(args: list[str], after_s: float) -> bool:
    """Start the command and SIGKILL it after `after_s`; True when it was still running."""
    proc = start(args)
    try:
        proc.wait(timeout=after_s)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        return True
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode(errors="replace")
    return False


def integrity(path: Path, *, read_only: bool) -> str:
    uri = f"{path.as_uri()}?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(uri, uri=read_only)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def partials(folder: Path, name: str = "") -> list[str]:
    """Partial files in `folder` (of the target `name` when given)."""
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(f".{name}") and ".partial-" in p.name
    )


def check_json_target(target: Path, had_old: bool) -> None:
    if not target.exists():
        assert not had_old, "the old file disappeared"
        return
    data = target.read_bytes()
    if had_old and data == OLD_CONTENT:
        return
    document = json.loads(data)  # complete, or this raises
    assert document["format"] == "baseline-export"
    assert len(document["sessions"]) == N_SESSIONS
    assert sum(len(s["beats"]) for s in document["sessions"]) == N_SESSIONS * N_BEATS


def check_backup_target(target: Path) -> None:
    if not target.exists():
        return
    assert integrity(target, read_only=True) == "ok"
    conn = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM beats").fetchone()[0] == N_SESSIONS * N_BEATS
    finally:
        conn.close()


def test_killed_export_and_backup_never_leave_half_a_file(tmp_path: Path) -> None:
    db = tmp_path / "baseline.db"
    make_database(db)
    out = tmp_path / "out"
    out.mkdir()
    rng = random.Random(20261206)
    json_target = out / "export.json"
    json_args = ["--db", str(db), "export", "--format", "json", "--out", str(json_target)]
    backup_target = out / "backup.db"
    backup_args = ["--db", str(db), "backup", "--out", str(backup_target)]

    # Normal durations (the second run, with warm caches).
    run_to_end([*json_args, "--force"])
    json_s = run_to_end([*json_args, "--force"])
    run_to_end([*backup_args, "--force"])
    backup_target.unlink()
    backup_s = run_to_end(backup_args)
    backup_target.unlink()

    killed = {"json": 0, "backup": 0}
    left_partial = {"json": 0, "backup": 0}
    for i in range(N_KILLS):
        had_old = i % 2 == 0  # half the runs replace an old file (--force), half write a new one
        if had_old:
            json_target.write_bytes(OLD_CONTENT)
        else:
            json_target.unlink(missing_ok=True)
        extra = ["--force"] if had_old else []
        killed["json"] += run_and_kill([*json_args, *extra], rng.uniform(0.0, json_s))
        assert integrity(db, read_only=False) == "ok"
        check_json_target(json_target, had_old)
        left_partial["json"] += bool(partials(out, json_target.name))

        backup_target.unlink(missing_ok=True)
        killed["backup"] += run_and_kill(backup_args, rng.uniform(0.0, backup_s))
        assert integrity(db, read_only=False) == "ok"
        check_backup_target(backup_target)
        left_partial["backup"] += bool(partials(out, backup_target.name))

    print(f"normal durations: json {json_s:.2f} s, backup {backup_s:.2f} s")
    print(f"killed while running: {killed}; kills that left a partial file: {left_partial}")
    assert killed["json"] >= N_KILLS // 3 and killed["backup"] >= N_KILLS // 3
    assert left_partial["json"] >= 1  # some kills did land while the file was being written

    # One more ordinary run of each cleans up what the killed ones left.
    json_target.unlink(missing_ok=True)
    backup_target.unlink(missing_ok=True)
    run_to_end(json_args)
    run_to_end(backup_args)
    assert partials(out) == []
    assert [p.name for p in db.parent.iterdir() if ".partial-" in p.name] == []
    check_json_target(json_target, had_old=False)
    check_backup_target(backup_target)
    assert json_target.stat().st_mode & 0o777 == 0o600
    assert backup_target.stat().st_mode & 0o777 == 0o600
    assert os.path.getsize(json_target) > 0
