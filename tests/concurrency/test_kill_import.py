"""SIGKILL `import` at 50 random points: the batch is stored whole or not at all."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from app.formats.importer import STAGE_CHUNK_ROWS, import_files
from app.store import open_store
from tests.concurrency.procs import (
    fork_cli,
    integrity_ok,
    kill_after,
    lock_files,
    next_command,
    query,
    write_day_files,
)

KILLS = 50
SEED = 20261207
N_FILES = 3
N_BEATS = STAGE_CHUNK_ROWS + STAGE_CHUNK_ROWS // 2  # two staging steps per file


def template_db(folder: Path, earlier: Path) -> Path:
    """A database with one session imported before (closed: one file, no WAL)."""
    folder.mkdir()
    db = folder / "import.db"
    store = open_store(db)
    try:
        import_files(store, [earlier])
    finally:
        store.close()
    assert not Path(f"{db}-wal").exists()
    return db


def fresh_db(folder: Path, template: Path) -> Path:
    folder.mkdir()
    db = folder / template.name
    shutil.copyfile(template, db)
    return db


@pytest.mark.slow
def test_a_killed_import_stores_all_or_nothing(tmp_path: Path) -> None:
    files = write_day_files(tmp_path / "days", count=N_FILES + 1, n_beats=N_BEATS, seed=3)
    earlier, batch = files[0], files[1:]
    argv = ["import", *map(str, batch)]
    template = template_db(tmp_path / "template", earlier)
    db = fresh_db(tmp_path / "timing", template)
    started = time.monotonic()
    child = fork_cli(["--db", str(db), *argv])
    child.join(120)
    assert child.exitcode == 0
    full_s = time.monotonic() - started
    base_beats = N_BEATS

    rng = random.Random(SEED)
    outcomes = {"nothing": 0, "all": 0}
    staged_when_killed = 0
    for n in range(KILLS):
        db = fresh_db(tmp_path / f"k{n}", template)
        child = fork_cli(["--db", str(db), *argv])
        kill_after(child, rng.uniform(0.0, full_s * 1.5))
        assert integrity_ok(db)
        staged_when_killed += bool(query(db, "SELECT 1 FROM sessions WHERE status = 'staging'"))
        code, told = next_command(db)
        assert code == 0, told
        assert "interrupted" not in told  # an unfinished import is no session to tell about
        sessions = query(db, "SELECT status FROM sessions")
        beats = query(db, "SELECT count(*) FROM beats")[0][0]
        if len(sessions) == 1:
            outcomes["nothing"] += 1
            assert beats == base_beats  # staged beats are gone too
        else:
            outcomes["all"] += 1
            assert len(sessions) == 1 + N_FILES
            assert beats == base_beats * (1 + N_FILES)
        assert {s[0] for s in sessions} == {"complete"}
        assert lock_files(db) == []
        assert integrity_ok(db)
    assert outcomes["nothing"] > 0 and outcomes["all"] > 0, outcomes
    assert staged_when_killed > 0  # some kills hit the import half-way through staging
