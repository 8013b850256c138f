"""A damaged database file: recognising it, and pointing the user to the newest backup.

Backups are looked for in the database's folder and its `backups` subfolder: any file there that
is an intact SQLite database with Baseline's `sessions` table (files from `baseline backup`, the
app's Back up menu, and the `NAME.before-restore-TIME.db` copies that a restore keeps aside), the
most recently modified first.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_HEADER = b"SQLite format 3\x00"
#: At most this many candidate files (the newest first) are opened when looking for backups.
MAX_BACKUP_CANDIDATES = 50


def is_damage(exc: BaseException) -> bool:
    """True when the error says the database file itself is damaged (not locked, not missing)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def backup_folders(db_path: Path) -> tuple[Path, ...]:
    """Where backups of the database at `db_path` are looked for."""
    folder = db_path.expanduser().resolve().parent
    return (folder, folder / "backups")


def _is_baseline_database(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return False
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
        try:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
            ).fetchone()
            intact = row is not None and conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        finally:
            conn.close()
    except (OSError, sqlite3.Error, ValueError):
        return False
    return intact


def _is_candidate(path: Path, target: Path) -> bool:
    if path.name.endswith(("-wal", "-shm", "-journal")) or path.resolve() == target:
        return False
    return path.is_file()


def newest_backup(db_path: Path) -> Path | None:
    """The most recently modified backup of the database at `db_path`, if one is found."""
    target = db_path.expanduser().resolve()
    candidates: list[tuple[float, Path]] = []
    for folder in backup_folders(db_path):
        try:
            for path in folder.iterdir():
                if _is_candidate(path, target):
                    candidates.append((path.stat().st_mtime, path))
        except OSError:
            continue
    candidates.sort(reverse=True)
    for _, path in candidates[:MAX_BACKUP_CANDIDATES]:
        if _is_baseline_database(path):
            return path
    return None


def damaged_message(db_path: Path, exc: BaseException) -> str:
    """One line: the database is damaged, and how to restore it."""
    backup = newest_backup(db_path)
    if backup is not None:
        when = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        hint = f"the newest backup found is {backup} ({when})"
    else:
        folders = " or ".join(str(f) for f in backup_folders(db_path))
        hint = f"no backup was found in {folders}"
    return (
        f"the database {db_path} is damaged ({exc}); restore a backup with"
        f" `baseline restore FILE`: {hint}"
    )
