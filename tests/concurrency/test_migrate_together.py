"""Several programs opening one new database at the same moment all end on the same schema."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from app.store import open_store
from app.store.migrations import SCHEMA_VERSION

OPENERS = 6
ROUNDS = 8


def open_together(path: Path) -> list[BaseException]:
    """Open `path` from OPENERS threads (each its own connection) released at once."""
    barrier = threading.Barrier(OPENERS)
    errors: list[BaseException] = []

    def opener() -> None:
        barrier.wait()
        try:
            open_store(path).close()
        except BaseException as exc:  # collected and reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_a_new_database_opened_by_several_programs_at_once_is_migrated_once(
    tmp_path: Path,
) -> None:
    for round_ in range(ROUNDS):
        path = tmp_path / f"new-{round_}.db"
        assert open_together(path) == []
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            columns = [row[1] for row in conn.execute("PRAGMA table_info(sessions)")]
            assert len(columns) == len(set(columns))
        finally:
            conn.close()
