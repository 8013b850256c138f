"""`baseline backup --out PATH` and `baseline restore FILE`: the whole database, safely.

Backup uses SQLite's online backup API (consistent while the app writes) into a partial file
that is moved into place when complete (`app.formats.atomic`). Restore validates the
file (SQLite, integrity check, known schema version, Baseline's tables) before it changes
anything, saves the current database aside, then replaces the content in one transaction.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.commands.common import store_from_args
from app.commands.errors import CommandError
from app.formats.backup import (
    BackupError,
    backup_connection,
    refuse_while_recording,
    restore_database,
    restoring,
)
from app.store import Store, default_db_path


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser(
        "backup",
        parents=list(parents),
        help="copy the whole database into a new file",
        description="Copy the whole database into a new file with SQLite's online backup. "
        "The copy is written beside PATH and moved into place when complete and checked. "
        "An existing PATH is refused unless --force; a database is never written over.",
    )
    backup.add_argument("--out", required=True, type=Path, metavar="PATH", help="new file")
    backup.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file (never a database: those are not written over)",
    )
    backup.set_defaults(func=run_backup)
    restore = subparsers.add_parser(
        "restore",
        parents=list(parents),
        help="replace the database with a backup (checked first; the current one is kept aside)",
        description="Replace the database with a backup file. The file is checked first; the "
        "current database is saved next to it as NAME.before-restore-TIME.db.",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="a file made by baseline backup")
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        backup_connection(store.conn, args.out, replace=args.force)
    except BackupError as exc:
        cause = exc.__cause__
        hint = "; use --force to replace it" if getattr(cause, "exists", False) else ""
        raise CommandError(f"{exc}{hint}") from exc
    finally:
        store.close()
    print(f"backed up the database to {args.out}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    db_path: Path = (getattr(args, "db", None) or default_db_path()).expanduser()
    store = _store_unless_recording(args, db_path)
    try:
        with restoring(db_path, store):
            result = restore_database(
                db_path,
                args.file,
                before_replace=None if store is None else lambda: refuse_while_recording(store),
            )
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        if store is not None:
            store.close()
    # Opening migrates a restored older database to the current schema.
    store_from_args(args).close()
    aside = (
        f"; the previous database is saved as {result.saved_aside}" if result.saved_aside else ""
    )
    print(f"restored {result.n_sessions} sessions from {args.file}{aside}")
    return 0


def _store_unless_recording(args: argparse.Namespace, db_path: Path) -> Store | None:
    """The open store, or a CommandError naming the recording that runs now.

    None when there is no database yet, or when it cannot be opened (a damaged database is what
    a restore is for; nothing can be recording into it).
    """
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    try:
        store = store_from_args(args)
    except CommandError:
        return None
    try:
        refuse_while_recording(store)
    except BackupError as exc:
        store.close()
        raise CommandError(str(exc)) from exc
    return store
