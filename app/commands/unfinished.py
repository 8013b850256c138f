"""What every command does first: close the sessions of recorders that died, and say so once.

A recording whose process was killed (power loss, out of memory, SIGKILL) stays `active` in the
database; the first command run afterwards sees that no live process owns it any more
(`Store.close_unfinished`), marks it `interrupted` with its beats kept, and tells the person on
stderr. A recording that still runs, in another process, is left alone. Files a killed import
or restore left behind are removed too.
"""

from __future__ import annotations

import sqlite3
import sys

from app.formats.backup import tidy_restore_leftovers
from app.store import Store


def interrupted_lines(store: Store) -> list[str]:
    """Close what dead recorders left behind; one line per session now `interrupted`."""
    lines: list[str] = []
    for session_id in store.close_unfinished():
        record = store.session(session_id)
        if record is not None:
            started = record.started_at.strftime("%Y-%m-%d %H:%M")
            lines.append(
                f"session {session_id} ({record.kind}, started {started}) ended when its "
                "recorder stopped unexpectedly; its data is kept, marked interrupted"
            )
    return lines


def tell_interrupted(store: Store) -> None:
    """Close dead recorders' sessions, saying so once, and tidy what a killed restore left."""
    try:
        tidy_restore_leftovers(store)
        lines = interrupted_lines(store)
    except sqlite3.OperationalError as exc:
        if int(getattr(exc, "sqlite_errorcode", 0)) & 0xFF != sqlite3.SQLITE_READONLY:
            raise
        return  # a read-only database: nothing can be closed, and reading still works
    for line in lines:
        print(line, file=sys.stderr, flush=True)
