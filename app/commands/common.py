"""Helpers shared by sub-commands: opening the store chosen by `--db`."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from app.commands.errors import CommandError
from app.commands.unfinished import tell_interrupted
from app.store import Store, default_db_path, open_store
from app.store.damaged import damaged_message, is_damage
from app.store.migrations import SchemaTooNewError

#: Commands that only read the database. For them a `--db` that names no existing file is an
#: error (one line, exit 2) and no empty database is created; the others may create it.
READ_ONLY_COMMANDS = frozenset({"trend", "export", "backup"})


def db_path_of(args: argparse.Namespace) -> Path:
    """The database file the command uses: `--db`, else `$BASELINE_DB`, else the default."""
    db_path: Path | None = getattr(args, "db", None)
    return (db_path or default_db_path()).expanduser()


def _require_existing(db_path: Path) -> None:
    resolved = db_path.expanduser()
    if resolved.exists():
        return
    if not resolved.parent.is_dir():
        raise CommandError(f"no database at {db_path}: the folder {resolved.parent} does not exist")
    raise CommandError(f"no database at {db_path}: the file does not exist")


def store_from_args(args: argparse.Namespace) -> Store:
    """Open the database named by `--db` (or `$BASELINE_DB`, or the default), or fail clearly."""
    db_path: Path | None = getattr(args, "db", None)
    reads_only = getattr(args, "command", None) in READ_ONLY_COMMANDS
    if reads_only and db_path is not None and str(db_path) != ":memory:":
        _require_existing(db_path)
    try:
        store = open_store(db_path)
    except (sqlite3.DatabaseError, SchemaTooNewError, OSError) as exc:
        if is_damage(exc):
            raise CommandError(damaged_message(db_path_of(args), exc)) from exc
        where = db_path if db_path is not None else "the default database"
        raise CommandError(f"cannot open {where}: {exc}") from exc
    tell_interrupted(store)  # a recorder that died: close its session, say so once
    return store
