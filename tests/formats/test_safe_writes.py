"""Exports and backups never overwrite unasked, never touch a database, never leave half a file."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.formats.atomic import (
    PartialFile,
    WriteRefusedError,
    atomic_write,
    partial_path,
    remove_stale_partials,
)
from app.formats.backup import restore_database
from app.formats.export import CSV_FILES, export_document, export_json, write_json_export
from app.store import Store, open_store
from app.store.records import BeatRecord
from tests.formats.test_export_roundtrip import populate

FORMATS_AND_NAMES = (("json", "out.json"), ("kubios", "out.txt"), ("backup", "out.db"))


def filled_db(path: Path) -> Path:
    store = open_store(path)
    populate(store)
    store.close()
    return path


def write(db: Path, kind: str, out: Path, *extra: str) -> list[str]:
    if kind == "backup":
        return ["--db", str(db), "backup", "--out", str(out), *extra]
    return ["--db", str(db), "export", "--format", kind, "--out", str(out), *extra]


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def db_state(db: Path) -> tuple[str, int, bytes]:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        n = conn.execute("SELECT count(*) FROM beats").fetchone()[0]
    finally:
        conn.close()
    return check, n, db.read_bytes()[:16]


def partials_in(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".partial-" in p.name]


@pytest.mark.parametrize(("kind", "name"), FORMATS_AND_NAMES)
def test_existing_file_is_refused_without_force(
    kind: str, name: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    out = tmp_path / name
    out.write_text("keep me")
    assert main(write(db_path, kind, out)) == 2
    line = one_error_line(capsys)
    assert str(out) in line and "already exists" in line and "--force" in line
    assert out.read_text() == "keep me"
    assert main(write(db_path, kind, out, "--force")) == 0
    assert out.read_bytes() != b"keep me"
    assert out.stat().st_mode & 0o777 == 0o600
    assert not partials_in(tmp_path)
    if kind == "json":
        assert len(json.loads(out.read_text(encoding="utf-8"))["sessions"]) == 2
    elif kind == "backup":
        assert db_state(out)[0] == "ok"


def database_spellings(db: Path, tmp_path: Path) -> list[Path]:
    sub = tmp_path / "sub"
    sub.mkdir(exist_ok=True)
    link = tmp_path / "link-to-db"
    if not link.exists():
        link.symlink_to(db)
    hard = tmp_path / "hard-link.db"
    if not hard.exists():
        os.link(db, hard)
    relative = Path(os.path.relpath(db, Path.cwd()))
    return [
        db,
        sub / ".." / db.name,
        Path(str(db.parent) + "/./" + db.name),
        link,
        hard,
        relative,
        Path(f"{db}-wal"),
        Path(f"{db}-shm"),
        Path(f"{db}-journal"),
    ]


@pytest.mark.parametrize(("kind", "name"), FORMATS_AND_NAMES)
def test_the_database_is_never_written_over(
    kind: str, name: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    before = db_state(db_path)
    assert before[0] == "ok" and before[1] == 420 + 10
    for target in database_spellings(db_path, tmp_path):
        for extra in ((), ("--force",)):
            existed = target.exists()
            content = target.read_bytes() if existed else None
            assert main(write(db_path, kind, target, *extra)) == 2, (target, extra)
            line = one_error_line(capsys)
            assert str(target) in line, line
            assert db_state(db_path) == before
            assert target.exists() == existed  # a -journal that was absent is not created
            if content is not None and target.name.endswith(".db"):
                assert target.read_bytes()[:16] == content[:16]
    assert not partials_in(tmp_path)


def test_csv_into_the_database_or_its_folder_files(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    before = db_state(db_path)
    for target in (db_path, tmp_path / "link-to-db", Path(f"{db_path}-wal")):
        if target.name == "link-to-db":
            target.symlink_to(db_path)
        for extra in ((), ("--force",)):
            assert main(write(db_path, "csv", target, *extra)) == 2
            assert str(target) in one_error_line(capsys)
    assert db_state(db_path) == before
    # A Baseline database that happens to carry an export file's name is not replaced either.
    folder = tmp_path / "csv"
    folder.mkdir()
    other = filled_db(folder / "beats.csv")
    other_before = db_state(other)
    listed_before = sorted(p.name for p in folder.iterdir())  # the database and its lock files
    assert main(write(db_path, "csv", folder, "--force")) == 2
    line = one_error_line(capsys)
    assert str(other) in line and "Baseline database" in line
    assert db_state(other) == other_before
    assert "beats.csv" in listed_before
    assert sorted(p.name for p in folder.iterdir()) == listed_before  # nothing half done


@pytest.mark.parametrize(("kind", "name"), FORMATS_AND_NAMES)
def test_another_baseline_database_is_never_written_over(
    kind: str, name: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    other = tmp_path / f"other-{name}"
    filled_db(other)
    extra_store = open_store(other)  # an open one, in WAL mode, with its -wal beside it
    try:
        before = db_state(other)
        for target in (other, Path(f"{other}-wal"), Path(f"{other}-shm")):
            assert main(write(db_path, kind, target, "--force")) == 2
            line = one_error_line(capsys)
            assert str(target) in line and "Baseline database" in line
        assert db_state(other) == before
    finally:
        extra_store.close()


def test_a_plain_sqlite_file_may_be_replaced_with_force(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    foreign = tmp_path / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.commit()
    conn.close()
    assert main(write(db_path, "json", foreign)) == 2
    assert "already exists" in one_error_line(capsys)
    assert main(write(db_path, "json", foreign, "--force")) == 0
    assert json.loads(foreign.read_text(encoding="utf-8"))["format"] == "baseline-export"


def test_csv_folder_needs_force_and_replaces_only_its_files(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(write(db_path, "csv", empty)) == 0  # an empty folder is fine
    assert sorted(p.name for p in empty.iterdir()) == sorted(CSV_FILES)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "mine.txt").write_text("my own notes")
    (folder / "beats.csv").write_text("old")
    assert main(write(db_path, "csv", folder)) == 2
    line = one_error_line(capsys)
    assert str(folder) in line and "--force" in line
    assert (folder / "beats.csv").read_text() == "old"
    assert main(write(db_path, "csv", folder, "--force")) == 0
    assert (folder / "mine.txt").read_text() == "my own notes"
    assert (folder / "beats.csv").read_text().startswith("session_id,seq,t_ms")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*CSV_FILES, "mine.txt"])
    for name in CSV_FILES:
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    assert not partials_in(tmp_path)
    file_target = tmp_path / "a-file"
    file_target.write_text("x")
    assert main(write(db_path, "csv", file_target, "--force")) == 2
    assert "not a folder" in one_error_line(capsys)


@pytest.mark.parametrize("session", ["99999999999999999999", "-1", "0", "9223372036854775808"])
def test_session_id_out_of_range(
    session: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    out = tmp_path / "k.txt"
    assert main([*write(db_path, "kubios", out), "--session", session]) == 2
    line = one_error_line(capsys)
    assert "--session" in line
    assert not out.exists()


def test_kubios_of_a_session_without_beats_writes_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(db_path)
    session = store.start_session("breathing")
    store.finish_session(session)
    store.close()
    out = tmp_path / "k.txt"
    assert main([*write(db_path, "kubios", out), "--session", str(session)]) == 2
    assert "no beats" in one_error_line(capsys)
    assert not out.exists() and not partials_in(tmp_path)


def test_streamed_json_is_byte_for_byte_the_document(db_path: Path, tmp_path: Path) -> None:
    for store in (open_store(tmp_path / "empty.db"), open_store(filled_db(db_path))):
        streamed = io.StringIO()
        n = write_json_export(store, streamed)
        document = export_document(store)
        assert n == len(document["sessions"])
        assert streamed.getvalue() == json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        store.close()


def fill_sessions(store: Store, n_sessions: int, n_beats: int) -> None:
    for i in range(n_sessions):
        session = store.start_session("recording")
        store.add_beats(
            session,
            [
                BeatRecord(t_ms=800.0 * (k + 1) + i, rr_ms=800.0 + (k % 7) * 1000.0 / 1024.0)
                for k in range(n_beats)
            ],
        )
        store.finish_session(session)


def peak_bytes(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_json_export_memory_does_not_grow_with_the_database(tmp_path: Path) -> None:
    one = open_store(tmp_path / "one.db")
    fill_sessions(one, 1, 400)
    many = open_store(tmp_path / "many.db")
    fill_sessions(many, 16, 400)
    try:
        bound = 2 * peak_bytes(lambda: export_json(one, tmp_path / "one.json"))
        streamed = peak_bytes(lambda: export_json(many, tmp_path / "many.json"))
        whole = peak_bytes(lambda: json.dumps(export_document(many), ensure_ascii=False, indent=1))
    finally:
        one.close()
        many.close()
    assert streamed < bound, (streamed, bound)
    assert whole > 3 * bound  # holding the whole document would not pass
    assert len(json.loads((tmp_path / "many.json").read_text())["sessions"]) == 16


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target, replace=True) as handle:
        handle.write(b"half a fi")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert not partials_in(tmp_path)


def test_partial_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        partial = PartialFile(tmp_path / "x.json", replace=False)
        assert partial.path.name == f".x.json.partial-{os.getpid()}"
        assert partial.path.stat().st_mode & 0o777 == 0o600
        assert partial.path.stat().st_size == 0
        partial.commit()
    finally:
        os.umask(old_umask)
    assert (tmp_path / "x.json").stat().st_mode & 0o777 == 0o600
    assert not partials_in(tmp_path)


def test_a_file_appearing_meanwhile_is_not_replaced_without_force(tmp_path: Path) -> None:
    target = tmp_path / "race.json"
    partial = PartialFile(target, replace=False)
    target.write_text("someone else's")
    with pytest.raises(WriteRefusedError, match="already exists"):
        partial.commit()
    partial.discard()
    assert target.read_text() == "someone else's"
    assert not partials_in(tmp_path)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def test_stale_partials_are_removed_on_the_next_run(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "export.json"
    gone = dead_pid()
    alive = os.getppid()
    stale = [
        partial_path(target, gone),
        Path(f"{partial_path(target, gone)}-journal"),
        partial_path(target, alive),  # alive but a day old: left behind long ago
    ]
    kept = [
        partial_path(out_dir / "export.json.bak", alive),  # another target's
        out_dir / ".export.json.partial-abc",  # not our pattern
        out_dir / "export.json.partial-1",  # not hidden: not ours
    ]
    for path in [*stale, *kept]:
        path.write_text("junk")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(partial_path(target, alive), (day_ago, day_ago))
    assert main(write(db_path, "json", target)) == 0
    for path in stale:
        assert not path.exists(), path
    for path in kept:
        assert path.exists(), path
    # A recent partial of a live process is someone's export in progress: left alone.
    in_progress = partial_path(target, alive)
    in_progress.write_text("in progress")
    assert main(write(db_path, "json", target, "--force")) == 0
    assert in_progress.read_text() == "in progress"
    assert remove_stale_partials(target) == []


def test_restore_staging_copy_is_private_from_its_first_byte(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled_db(db_path)
    backup = tmp_path / "b.db"
    assert main(["--db", str(db_path), "backup", "--out", str(backup)]) == 0
    os.chmod(backup, 0o644)
    modes: list[int] = []
    real_copy = shutil.copyfileobj

    def watch(src: io.BufferedReader, dst: io.BufferedWriter, length: int = 0) -> None:
        modes.append(os.fstat(dst.fileno()).st_mode & 0o777)
        real_copy(src, dst, length)

    old_umask = os.umask(0)
    monkeypatch.setattr(shutil, "copyfileobj", watch)
    try:
        result = restore_database(db_path, backup)
    finally:
        os.umask(old_umask)
    assert modes == [0o600]
    assert result.n_sessions == 3  # the soft-deleted one too
    assert not list(tmp_path.glob(".*restore-candidate*"))


def test_a_symbolic_link_is_written_through_and_special_files_are_refused(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_db(db_path)
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(write(db_path, "json", link)) == 2
    assert str(link) in one_error_line(capsys)
    assert main(write(db_path, "json", link, "--force")) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert json.loads(real.read_text(encoding="utf-8"))["format"] == "baseline-export"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(write(db_path, "json", fifo, "--force")) == 2
    assert "not a regular file" in one_error_line(capsys)
    assert fifo.exists() and not fifo.is_file()
    assert not partials_in(tmp_path)
