"""Backup and restore of the whole database through SQLite's online backup API.

`backup_database` copies a live database page by page (consistent even while it is being written)
into a private partial file beside the target and moves it into place when it is complete and
checked (`app.formats.atomic`): never over the database, never over another Baseline database.
`restore_database` first validates the candidate on a private copy (0600 from its first byte;
SQLite file, integrity check, a schema version this Baseline knows, the expected tables), then
saves the current database aside (`<name>.before-restore-<time>.db`) and copies the candidate
into the live database with the backup API, which replaces its content in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filelock

from app.formats.atomic import PartialFile, WriteRefusedError, check_target, database_files
from app.store import Store
from app.store.damaged import is_damage
from app.store.migrations import SCHEMA_VERSION

RESTORE_LOCK_WAIT_S = 1.0
REQUIRED_TABLES = frozenset({"sessions", "beats", "heart_rate", "marks", "daily_log", "settings"})


class BackupError(Exception):
    """A backup could not be written or a file cannot be restored; one line for the user."""


@dataclass(frozen=True, slots=True)
class RestoreResult:
    schema_version: int
    n_sessions: int
    saved_aside: Path | None


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)


def backup_connection(conn: sqlite3.Connection, out: Path, *, replace: bool = False) -> None:
    """Copy the database behind `conn` into the file `out` (mode 0600, rollback journal).

    The copy is made in a private partial file beside `out`, checked, synced and then moved into
    place, so `out` is never a half copy. An existing `out` is refused unless `replace`; the
    database itself and any other Baseline database are never written over.
    """
    out = Path(out)
    protected = database_files(conn)
    try:
        check_target(out, replace=replace, protected=protected)
        if not out.parent.is_dir():
            raise BackupError(f"folder {out.parent} does not exist")
        partial = PartialFile(out, replace=replace, protected=protected)
    except WriteRefusedError as exc:
        raise BackupError(str(exc)) from exc
    except OSError as exc:
        raise BackupError(f"cannot write {out}: {exc.strerror or exc}") from exc
    try:
        partial.close_fd()
        target = sqlite3.connect(partial.path)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
            ok = target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            target.close()
        if not ok:
            raise BackupError("the copy failed its integrity check")
        partial.commit()
    except WriteRefusedError as exc:
        raise BackupError(str(exc)) from exc
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"cannot write {out}: {exc}") from exc
    finally:
        partial.discard()


def backup_store(store: Store, out: Path, *, replace: bool = False) -> None:
    """Copy the store's database into the file `out` (see `backup_connection`)."""
    backup_connection(store.conn, out, replace=replace)


def backup_database(db_path: Path, out: Path) -> None:
    """Back up the database file at `db_path` into `out`."""
    source = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        backup_connection(source, out)
    finally:
        source.close()


def _is_damaged(db_path: Path) -> bool:
    """True when the database file itself is damaged (SQLite cannot read it whole)."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5.0)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone() != ("ok",))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return is_damage(exc)


def _move_aside(db_path: Path, saved: Path) -> None:
    """Move a damaged database and its journal files to `saved` (and `saved`-wal, ...)."""
    try:
        for suffix in ("-wal", "-shm", "-journal"):
            companion = Path(f"{db_path}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{saved}{suffix}"))
        os.replace(db_path, saved)
    except OSError as exc:
        raise BackupError(
            f"cannot move the damaged {db_path} aside: {exc.strerror or exc}"
        ) from exc


def validate_backup(path: Path) -> int:
    """Check that `path` is a Baseline database this version can use; returns its schema version.

    Works on the file as it is (read-only). Raises BackupError saying what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not an SQLite database")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path}: {exc}") from exc
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            first = " ".join(str(check[0][0]).split())
            raise BackupError(f"{path} is damaged (integrity check: {first})")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if not 1 <= version <= SCHEMA_VERSION:
            raise BackupError(
                f"{path} has schema version {version}; this Baseline knows 1 to {SCHEMA_VERSION}"
            )
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if missing:
            raise BackupError(
                f"{path} is not a Baseline database (no {', '.join(sorted(missing))})"
            )
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a usable database: {exc}") from exc
    finally:
        conn.close()
    return version


def backup_session_count(path: Path) -> int:
    """Validate the backup `path` without changing it; returns how many sessions it holds."""
    validate_backup(Path(path))
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a usable database: {exc}") from exc


def restore_store(store: Store, backup_file: Path) -> RestoreResult:
    """Replace the store's database file with `backup_file` and upgrade the store's connection.

    The connection is brought to the current schema at once, so anything written before the app
    restarts lands in a database this version understands. BackupError says what went wrong.
    """
    if store.path is None:
        raise BackupError("this database is not a file, so it cannot be restored")
    store.commit_pending()
    result = restore_database(Path(store.path), Path(backup_file))
    try:
        store.upgrade_schema()
    except sqlite3.Error as exc:
        raise BackupError(f"the backup was restored but cannot be opened: {exc}") from exc
    return result


def _private_copy(source: Path, staging: Path) -> None:
    """Copy `source` to `staging`, private (0600) from its first byte."""
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()  # left by a restore that was killed
    fd = os.open(
        staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
    )
    with os.fdopen(fd, "wb") as handle, source.open("rb") as reading:
        shutil.copyfileobj(reading, handle, 1 << 20)


def _to_rollback_journal(path: Path) -> None:
    """Take a private copy out of WAL mode so it can be opened read-only."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
        if header[:16] != b"SQLite format 3\x00" or header[18:20] == b"\x01\x01":
            return
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"{path} is not a usable database: {exc}") from exc


def recording_blocks_restore(store: Store) -> str | None:
    """Why a restore must wait: a recording running now (in any process), or None.

    The one check used by `baseline restore` and the app's Restore entry.
    """
    running = store.running_sessions()
    if not running:
        return None
    first = running[0]
    started = first.started_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"a recording is running (session {first.id}, {first.kind}, started {started})"


def refuse_while_recording(store: Store) -> None:
    """Raise BackupError when a recording runs (see `recording_blocks_restore`)."""
    problem = recording_blocks_restore(store)
    if problem is not None:
        raise BackupError(f"{problem}; finish it, then restore")


def restore_database(
    db_path: Path,
    backup_file: Path,
    *,
    now: datetime | None = None,
    before_replace: Callable[[], None] | None = None,
) -> RestoreResult:
    """Replace the database at `db_path` with `backup_file`, after validating it.

    The candidate is copied to a private temporary file and validated there (so it cannot change
    between the check and the copy). The current database, if any, is saved aside first.
    Nothing is changed when anything fails before the final copy, which is one transaction.
    `before_replace` runs just before the current database is touched; it may raise BackupError.
    """
    db_path = Path(db_path)
    staging = db_path.with_name(f".{db_path.name}.restore-candidate")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {db_path.parent}: {exc.strerror or exc}") from exc
    try:
        if not Path(backup_file).is_file():
            raise BackupError(f"{backup_file} is not a file")
        try:
            _private_copy(Path(backup_file), staging)
        except OSError as exc:
            raise BackupError(f"cannot read {backup_file}: {exc.strerror or exc}") from exc
        try:
            _to_rollback_journal(staging)
            version = validate_backup(staging)
        except BackupError as exc:
            raise BackupError(str(exc).replace(str(staging), str(backup_file))) from exc
        if before_replace is not None:
            before_replace()
        saved: Path | None = None
        if db_path.exists() and db_path.stat().st_size > 0:
            stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
            saved = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}{db_path.suffix}")
            n = 1
            while saved.exists():
                n += 1
                saved = db_path.with_name(
                    f"{db_path.stem}.before-restore-{stamp}-{n}{db_path.suffix}"
                )
            if _is_damaged(db_path):
                _move_aside(db_path, saved)  # SQLite cannot copy it: keep its bytes as they are
            else:
                backup_database(db_path, saved)
        if not db_path.exists():
            _private_file(db_path)
        candidate = sqlite3.connect(f"file:{staging}?mode=ro", uri=True)
        live = sqlite3.connect(db_path)
        try:
            live.execute("PRAGMA busy_timeout = 5000")
            candidate.backup(live)
            n_sessions = int(live.execute("SELECT count(*) FROM sessions").fetchone()[0])
        except sqlite3.Error as exc:
            raise BackupError(f"cannot replace {db_path}: {exc}") from exc
        finally:
            live.close()
            candidate.close()
        if os.name == "posix":
            os.chmod(db_path, 0o600)
        return RestoreResult(schema_version=version, n_sessions=n_sessions, saved_aside=saved)
    finally:
        for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


# -- one restore at a time, and what a killed one leaves behind ---------------------------------
def restore_lock_path(db_path: Path) -> Path:
    """Held by a running restore (an OS lock, dropped when its process dies)."""
    return db_path.with_name(f"{db_path.name}.restore.lock")


def restore_leftovers(db_path: Path) -> list[Path]:
    """Files a restore writes on its way and removes at its end (left only by a killed one)."""
    staging = db_path.with_name(f".{db_path.name}.restore-candidate")
    found = [p for p in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")) if p.exists()]
    # `.NAME.partial` or `.NAME.partial-PID` (with SQLite journals beside it)
    found += db_path.parent.glob(f".{db_path.stem}.before-restore-*{db_path.suffix}.partial*")
    return found


@contextlib.contextmanager
def restoring(db_path: Path, store: Store | None) -> Iterator[None]:
    """Hold the restore lock while the body runs; BackupError when another restore runs.

    The lock file is created and removed while `store` holds the database's write lock, the
    same rule as the session locks (see `app.store.ownership`), so `tidy_restore_leftovers`
    never removes the file of a restore that is starting.
    """
    lock = filelock.FileLock(restore_lock_path(db_path), thread_local=False)
    guard = store.write_transaction() if store is not None else contextlib.nullcontext()
    try:
        with guard:
            lock.acquire(timeout=RESTORE_LOCK_WAIT_S)
    except filelock.Timeout as exc:
        raise BackupError("another restore of this database is running") from exc
    try:
        yield
    finally:
        guard = store.write_transaction() if store is not None else contextlib.nullcontext()
        with guard:
            with contextlib.suppress(FileNotFoundError):
                restore_lock_path(db_path).unlink()
            lock.release()


def tidy_restore_leftovers(store: Store) -> None:
    """Remove what a killed restore left beside the database (nothing while one runs)."""
    if store.path is None:
        return
    db_path = store.path
    lock_path = restore_lock_path(db_path)
    if not lock_path.exists() and not restore_leftovers(db_path):
        return
    with store.write_transaction():
        probe = filelock.FileLock(lock_path, thread_local=False)
        try:
            probe.acquire(blocking=False)
        except filelock.Timeout:
            return  # a restore is running
        try:
            for leftover in [*restore_leftovers(db_path), lock_path]:
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        finally:
            probe.release()
