"""Helpers shared by sub-commands: opening the store chosen by `--db`."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from app.commands.errors import CommandError
from app.commands.unfinished import tell_interrupted
from app.store import Store, open_store
from app.store.migrations import SchemaTooNewError


def store_from_args(args: argparse.Namespace) -> Store:
    """Open the database named by `--db` (or `$BASELINE_DB`, or the default), or fail clearly."""
    db_path: Path | None = getattr(args, "db", None)
    try:
        store = open_store(db_path)
    except (sqlite3.DatabaseError, SchemaTooNewError, OSError) as exc:
        where = db_path if db_path is not None else "the default database"
        raise CommandError(f"cannot open {where}: {exc}") from exc
    tell_interrupted(store)  # a recorder that died: close its session, say so once
    return store
