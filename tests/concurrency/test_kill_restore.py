"""SIGKILL `restore` at 50 random points: the database is the old one or the backup, whole."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from app.formats.backup import restore_leftovers, restore_lock_path, validate_backup
from app.formats.importer import import_files
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
SEED = 20261208


def make_db(db: Path, files: list[Path]) -> Path:
    db.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(db)
    try:
        import_files(store, files)
    finally:
        store.close()
    return db


def hashes(db: Path) -> set[object]:
    return {r[0] for r in query(db, "SELECT source_hash FROM sessions")}


@pytest.mark.slow
def test_a_killed_restore_leaves_the_old_or_the_new_database(tmp_path: Path) -> None:
    files = write_day_files(tmp_path / "days", count=3, n_beats=20_000, seed=5)
    template = make_db(tmp_path / "template" / "live.db", files[:1])
    backup = make_db(tmp_path / "other" / "backup.db", files[1:])
    old, new = hashes(template), hashes(backup)

    timing = tmp_path / "timing" / "live.db"
    timing.parent.mkdir()
    shutil.copyfile(template, timing)
    started = time.monotonic()
    child = fork_cli(["--db", str(timing), "restore", str(backup)])
    child.join(120)
    assert child.exitcode == 0
    full_s = time.monotonic() - started

    rng = random.Random(SEED)
    outcomes = {"old": 0, "new": 0}
    left_behind = 0
    for n in range(KILLS):
        db = tmp_path / f"k{n}" / "live.db"
        db.parent.mkdir()
        shutil.copyfile(template, db)
        child = fork_cli(["--db", str(db), "restore", str(backup)])
        kill_after(child, rng.uniform(0.0, full_s * 1.5))
        assert integrity_ok(db)
        left_behind += bool(restore_leftovers(db) or restore_lock_path(db).exists())
        code, told = next_command(db)
        assert code == 0, told
        content = hashes(db)
        assert content in (old, new)
        outcomes["old" if content == old else "new"] += 1
        for aside in db.parent.glob("live.before-restore-*.db"):
            validate_backup(aside)
            assert hashes(aside) == old  # the saved copy is the whole old database
        assert restore_leftovers(db) == []
        assert not restore_lock_path(db).exists()
        assert lock_files(db) == []
        assert integrity_ok(db)
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes
    assert left_behind > 0  # some kills left files for the next command to tidy
