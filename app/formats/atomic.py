"""Safe file writes: never over a database, never over a file unasked, never half a file.

Every file Baseline writes for the user (exports, backups, reports) goes through here:

- `check_target` refuses a target that is the open database or one of its `-wal`, `-shm`,
  `-journal` files (compared by resolved path and by `os.path.samefile`, so symlinks, hard links
  and `./x/../db` spellings are caught), or any Baseline database (an SQLite file with Baseline's
  tables), even when replacing is allowed; an existing file is refused unless `replace` is set.
- `atomic_write` / `PartialFile` write into a hidden file beside the target,
  `.NAME.partial-PID`, created with mode 0600 from its first byte (`O_EXCL`), then flush, fsync,
  move it into place (`os.link` when replacing is not allowed, so a file that appears meanwhile
  is not overwritten; `os.replace` otherwise) and fsync the folder. A killed process leaves the
  old file or the complete new one, never a mix.
- A symbolic link as target is written through (the file it points to is replaced, the link
  stays); devices, pipes and folders are refused.
- Partial files of processes that are gone (or older than a day) are removed the next time the
  same target is written; only names of this exact pattern, next to that target.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from app.store.database import DATABASE_SUFFIXES

PARTIAL_INFIX = ".partial-"
STALE_AFTER_S = 24 * 3600.0
BASELINE_TABLES = frozenset({"sessions", "beats", "heart_rate", "daily_log"})
_SQLITE_MAGIC = b"SQLite format 3\x00"


class WriteRefusedError(Exception):
    """A target that must not be written; the message is one line naming the path.

    `exists` is True when the only objection is an existing file the caller may allow replacing.
    """

    def __init__(self, message: str, *, exists: bool = False) -> None:
        super().__init__(message)
        self.exists = exists


# -- what must never be written over -------------------------------------------------------
def database_files(conn: sqlite3.Connection) -> tuple[Path, ...]:
    """The files of the database behind `conn`: the main file and its -wal/-shm/-journal."""
    files: list[Path] = []
    for _seq, _name, filename in conn.execute("PRAGMA database_list"):
        if filename:
            main = Path(filename)
            files.append(main)
            files.extend(Path(f"{main}{suffix}") for suffix in DATABASE_SUFFIXES)
    return tuple(files)


def _same_file(a: Path, b: Path) -> bool:
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    with contextlib.suppress(OSError):
        if a.resolve() == b.resolve():
            return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _sqlite_tables(path: Path) -> set[str] | None:
    """The table names of an SQLite file, or None when it cannot be read."""
    base = Path(path).resolve().as_uri()
    for uri in (f"{base}?mode=ro", f"{base}?mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(uri, uri=True)
        except sqlite3.Error:
            continue
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            return {str(r[0]) for r in rows}
        except sqlite3.Error:
            continue
        finally:
            conn.close()
    return None


def is_baseline_database(path: Path) -> bool:
    """True for an SQLite file with Baseline's tables (or one too damaged to tell)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                return False
    except OSError:
        return False
    tables = _sqlite_tables(path)
    return tables is None or tables >= BASELINE_TABLES


def _database_companion(path: Path) -> Path | None:
    """For `X-wal`, `X-shm` or `X-journal`, the database file `X` when it is a Baseline one."""
    for suffix in DATABASE_SUFFIXES:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            main = path.with_name(path.name[: -len(suffix)])
            if main.is_file() and is_baseline_database(main):
                return main
    return None


def check_not_database(target: Path, protected: Iterable[Path] = ()) -> None:
    """Raise WriteRefusedError when `target` is (a file of) the database or a Baseline database."""
    target = Path(target)
    for db_file in protected:
        if _same_file(target, db_file):
            raise WriteRefusedError(
                f"{target} is the database itself ({db_file}); choose another file name"
            )
    main = _database_companion(target)
    if main is not None:
        raise WriteRefusedError(
            f"{target} belongs to the Baseline database {main}; choose another file name"
        )
    if target.is_file() and is_baseline_database(target):
        raise WriteRefusedError(
            f"{target} is a Baseline database and is never written over; choose another file name"
        )


def check_target(target: Path, *, replace: bool, protected: Iterable[Path] = ()) -> None:
    """Raise WriteRefusedError when `target` must not be written (see the module docstring)."""
    target = Path(target)
    protected = tuple(protected)
    check_not_database(target, protected)
    real = Path(os.path.realpath(target))  # a symbolic link is written through, not replaced
    if real != target:
        check_not_database(real, protected)
    if not os.path.lexists(real):
        return
    if real.is_dir():
        raise WriteRefusedError(f"{target} is a folder; give a file name")
    if not real.is_file():
        raise WriteRefusedError(f"{target} is not a regular file; choose another file name")
    if not replace:
        raise WriteRefusedError(f"{target} already exists", exists=True)


# -- partial files ---------------------------------------------------------------------------
def partial_path(target: Path, pid: int | None = None) -> Path:
    """The hidden file beside `target` that this process writes first."""
    return target.with_name(f".{target.name}{PARTIAL_INFIX}{os.getpid() if pid is None else pid}")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name != "posix":
        return True  # no safe probe here; age alone decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(target: Path, *, now_s: float | None = None) -> list[Path]:
    """Remove partial files of `target` left by processes that are gone, or older than a day.

    Only files named `.NAME.partial-PID` (and SQLite's `-journal`/`-wal`/`-shm` beside them)
    next to `target` are touched. Returns what was removed.
    """
    target = Path(target)
    pattern = re.compile(
        re.escape(f".{target.name}{PARTIAL_INFIX}") + r"(\d{1,10})(-journal|-wal|-shm)?"
    )
    now = time.time() if now_s is None else now_s
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age_s = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if pid == os.getpid() or (_pid_alive(pid) and age_s < STALE_AFTER_S):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in `folder` durable (a no-op where folders cannot be synced)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PartialFile:
    """A private partial file beside `target`, moved into place by `commit`.

    Use it when something else writes the file by name (SQLite, a report writer); otherwise
    `atomic_write` is simpler. `check_target` is run again at commit time.
    """

    def __init__(self, target: Path, *, replace: bool, protected: Iterable[Path] = ()) -> None:
        self.replace = replace
        self.protected = tuple(protected)
        check_target(Path(target), replace=replace, protected=self.protected)
        self.target = Path(os.path.realpath(target))
        remove_stale_partials(self.target)
        self.path = partial_path(self.target)
        self.fd = self._create()

    def _create(self) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        flags |= getattr(os, "O_NOFOLLOW", 0)
        try:
            return os.open(self.path, flags, 0o600)
        except FileExistsError:
            # Left by an earlier process that had this same process id; it is gone.
            os.unlink(self.path)
            return os.open(self.path, flags, 0o600)

    def close_fd(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def commit(self) -> None:
        """fsync the partial file, move it to the target, fsync the folder."""
        self.close_fd()
        fsync_file(self.path)
        check_target(self.target, replace=self.replace, protected=self.protected)
        if self.replace:
            os.replace(self.path, self.target)
        else:
            self._link_without_replacing()
        fsync_folder(self.target.parent)

    def _link_without_replacing(self) -> None:
        try:
            os.link(self.path, self.target)
        except FileExistsError:
            raise WriteRefusedError(f"{self.target} already exists", exists=True) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # A file system without hard links: the check just above has to do.
            os.replace(self.path, self.target)
            return
        os.unlink(self.path)

    def discard(self) -> None:
        self.close_fd()
        for leftover in (self.path, *(Path(f"{self.path}{s}") for s in DATABASE_SUFFIXES)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


@contextlib.contextmanager
def atomic_write(
    target: Path, *, replace: bool, protected: Iterable[Path] = ()
) -> Iterator[BinaryIO]:
    """Write `target` through a partial file: the old file or the complete new one, never half.

    Raises WriteRefusedError before anything is written when the target is refused.
    """
    partial = PartialFile(target, replace=replace, protected=protected)
    try:
        with os.fdopen(partial.fd, "wb") as handle:
            partial.fd = -1  # the file object owns it now
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        partial.commit()
    except BaseException:
        partial.discard()
        raise


@contextlib.contextmanager
def atomic_text_write(
    target: Path, *, replace: bool, protected: Iterable[Path] = ()
) -> Iterator[TextIO]:
    """`atomic_write` for UTF-8 text, newlines written as given."""
    with atomic_write(target, replace=replace, protected=protected) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        try:
            yield text
        finally:
            text.detach()  # flushes into the partial file, leaves closing to atomic_write
