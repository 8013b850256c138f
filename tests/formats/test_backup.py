"""`baseline backup` / `baseline restore`: online backup, validated restore, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.formats.backup import BackupError, restore_database, validate_backup
from app.store import open_store
from app.store.migrations import MIGRATIONS, SCHEMA_VERSION
from app.store.records import BeatRecord
from tests.conftest import DATA_DIR

HRM = DATA_DIR / "exports" / "polar_protrainer_exercise_rri.hrm"


def snapshot(db: Path) -> list[tuple[object, ...]]:
    store = open_store(db)
    try:
        return [(s.id, s.kind, s.started_at, len(store.beats(s.id))) for s in store.sessions()]
    finally:
        store.close()


def add_session(db: Path, n_beats: int) -> None:
    store = open_store(db)
    session = store.start_session("recording")
    store.add_beats(
        session, [BeatRecord(t_ms=800.0 * (i + 1), rr_ms=800.0) for i in range(n_beats)]
    )
    store.finish_session(session)
    store.close()


def test_backup_then_restore(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "import", str(HRM)]) == 0
    saved = snapshot(db_path)
    backup = tmp_path / "backup.db"
    assert main(["--db", str(db_path), "backup", "--out", str(backup)]) == 0
    assert backup.stat().st_mode & 0o777 == 0o600
    assert validate_backup(backup) == SCHEMA_VERSION
    add_session(db_path, 5)
    assert len(snapshot(db_path)) == 2
    capsys.readouterr()
    assert main(["--db", str(db_path), "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "restored 1 sessions" in out and "before-restore" in out
    assert snapshot(db_path) == saved
    aside = next(db_path.parent.glob("test.before-restore-*.db"))
    assert len(snapshot(aside)) == 2  # the replaced database is kept
    assert main(["--db", str(db_path), "restore", str(backup)]) == 0  # again, same second
    assert len(list(db_path.parent.glob("test.before-restore-*.db"))) == 2
    store = open_store(db_path)
    assert store.integrity_ok()
    store.close()


@pytest.mark.parametrize("damage", ["truncated", "random bytes"])
def test_restore_replaces_a_damaged_database_and_keeps_its_bytes(
    damage: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "import", str(HRM)]) == 0
    saved = snapshot(db_path)
    backup = tmp_path / "backups" / "backup.db"
    backup.parent.mkdir()
    assert main(["--db", str(db_path), "backup", "--out", str(backup)]) == 0
    for _ in range(3):
        add_session(db_path, 2000)
    size = db_path.stat().st_size
    if damage == "truncated":
        with db_path.open("r+b") as handle:
            handle.truncate(size // 2)
    else:
        with db_path.open("r+b") as handle:  # keep the header, scramble the pages behind it
            handle.seek(4096)
            handle.write(bytes((i * 37 + 11) % 256 for i in range(size - 4096)))
    damaged_bytes = db_path.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db_path), "trend"]) == 2
    assert "damaged" in capsys.readouterr().err
    assert main(["--db", str(db_path), "restore", str(backup)]) == 0
    assert "restored 1 sessions" in capsys.readouterr().out
    assert snapshot(db_path) == saved
    (aside,) = db_path.parent.glob("test.before-restore-*.db")
    assert aside.read_bytes() == damaged_bytes  # nothing of the damaged file is lost
    store = open_store(db_path)
    assert store.integrity_ok()
    store.close()


def test_backup_refuses_existing_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    open_store(db_path).close()  # an empty database (backup refuses a --db that names nothing)
    assert main(["--db", str(db_path), "backup", "--out", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "keep me"


def corrupt_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    files["not an SQLite database"] = garbage
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    files["truncated"] = truncated
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    for i in range(4096 + 200, min(len(data), 4096 * 3), 7):
        data[i] ^= 0x5A
    damaged.write_bytes(bytes(data))
    files["damaged"] = damaged
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    files["not a Baseline database"] = foreign
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    files["schema version"] = newer
    return files


def test_corrupt_restore_leaves_database_untouched(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "import", str(HRM)]) == 0
    good = tmp_path / "good.db"
    assert main(["--db", str(db_path), "backup", "--out", str(good)]) == 0
    add_session(db_path, 7)
    before = snapshot(db_path)
    capsys.readouterr()
    for label, bad in corrupt_files(tmp_path, good).items():
        code = main(["--db", str(db_path), "restore", str(bad)])
        err = capsys.readouterr().err
        assert code == 2, label
        assert err.count("\n") == 1 and str(bad) in err, (label, err)
        assert snapshot(db_path) == before, label
    assert not list(db_path.parent.glob("*.before-restore-*"))
    assert not list(db_path.parent.glob(".*restore-candidate*"))


def test_restore_of_a_raw_wal_copy(db_path: Path, tmp_path: Path) -> None:
    """A plain copy of a live database file (WAL mode, checkpointed) restores too."""
    add_session(db_path, 3)
    copy = tmp_path / "copy.db"
    copy.write_bytes(db_path.read_bytes())
    target = tmp_path / "new" / "baseline.db"
    result = restore_database(target, copy)
    assert result.saved_aside is None and result.n_sessions == 1
    assert snapshot(target) == snapshot(db_path)


def test_restore_of_an_older_schema_migrates(db_path: Path, tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO sessions (kind, started_at, status) VALUES ('readiness',"
        " '2020-01-01T07:00:00.000+00:00', 'complete')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    assert main(["--db", str(db_path), "restore", str(old)]) == 0
    store = open_store(db_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert [s.kind for s in store.sessions()] == ["readiness"]
    store.close()


def test_validate_names_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not a file"):
        validate_backup(tmp_path / "missing.db")
