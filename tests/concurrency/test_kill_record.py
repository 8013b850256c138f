"""SIGKILL `record` at 50 random points: the next command closes its session as interrupted."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.concurrency.procs import (
    DEMO_SPEED,
    assert_beats_in_order,
    fork_cli,
    integrity_ok,
    kill_after,
    lock_files,
    next_command,
    query,
)

KILLS = 50
SEED = 20261206
LATEST_KILL_S = 1.5  # 30 demo packets at DEMO_SPEED


@pytest.mark.slow
def test_a_killed_recording_becomes_interrupted_with_its_beats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BASELINE_DEMO_SPEED", str(DEMO_SPEED))
    rng = random.Random(SEED)
    with_beats = 0
    for n in range(KILLS):
        db = tmp_path / f"k{n}" / "record.db"
        db.parent.mkdir()
        child = fork_cli(["--db", str(db), "record", "--sensor", "demo", "--minutes", "600"])
        assert kill_after(child, rng.uniform(0.0, LATEST_KILL_S)), "record ended by itself"
        if not db.exists():
            continue  # killed before it opened the database
        assert integrity_ok(db)
        migrated = query(db, "SELECT 1 FROM sqlite_master WHERE name = 'sessions'")
        sessions = query(db, "SELECT id, status FROM sessions") if migrated else []
        assert len(sessions) <= 1
        code, told = next_command(db)
        assert code == 0, told
        if sessions:
            session_id = int(str(sessions[0][0]))
            assert sessions[0][1] == "active"
            n_beats = assert_beats_in_order(db, session_id)
            with_beats += n_beats > 0
            assert told.count("interrupted") == 1 and f"session {session_id} " in told
            assert query(db, "SELECT status FROM sessions") == [("interrupted",)]
            assert assert_beats_in_order(db, session_id) == n_beats  # its beats are kept
        else:
            assert told == ""
        assert lock_files(db) == []
        assert next_command(db) == (0, "")  # told once
        assert integrity_ok(db)
    assert with_beats >= KILLS // 4  # most kills hit a recording that had stored beats
