"""Which process owns a session: an OS file lock beside the database, one per session.

A process that writes a session over time (a recording, an import staging its rows) holds
`<db name>.session-<id>.lock` locked for as long as it writes. The operating system drops the
lock when the process dies, however it dies (SIGKILL, power loss), so any other process can tell
a live writer (the lock is held) from a dead one (it can take the lock itself).

Races are avoided by one rule: lock files are created, probed and removed only while the caller
holds SQLite's write lock on the database (inside a `BEGIN IMMEDIATE` transaction). An owner
takes its lock in the same transaction that inserts the session row, so no other process ever
sees the row without its lock held; a prober that takes a dead owner's lock removes the file
before it lets go, and nobody can be opening that file at the same time.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import filelock  # imported when a lock is taken: it costs 30 ms at start-up


LOCK_WAIT_S = 5.0
"""How long an owner waits for its own lock file (only a prober can hold it, for microseconds)."""


def _remove_and_release(lock: filelock.BaseFileLock, path: Path) -> None:
    """Delete a held lock's file, then let go (Windows refuses to delete a locked file: there
    the file goes after the release)."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        lock.release()
        with contextlib.suppress(OSError):
            path.unlink()
        return
    lock.release()


def _lock_pattern(db_path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(db_path.name) + r"\.session-(\d+)\.lock")


class SessionLocks:
    """The session lock files of one database, and the locks this object holds.

    Args:
        db_path: the database file; lock files go into its folder.
    """

    def __init__(self, db_path: Path) -> None:
        self._db_path = db_path
        self._held: dict[int, filelock.BaseFileLock] = {}

    def path_for(self, session_id: int) -> Path:
        return self._db_path.with_name(f"{self._db_path.name}.session-{session_id}.lock")

    @property
    def held(self) -> frozenset[int]:
        """Sessions owned through this object."""
        return frozenset(self._held)

    def claim(self, session_id: int) -> None:
        """Take and keep the lock of a session (call inside the write transaction)."""
        if session_id in self._held:
            return
        import filelock

        lock = filelock.FileLock(self.path_for(session_id), thread_local=False)
        lock.acquire(timeout=LOCK_WAIT_S)
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.chmod(self.path_for(session_id), 0o600)
        self._held[session_id] = lock

    def release(self, session_id: int, *, remove: bool = True) -> None:
        """Let go of a session's lock; `remove` deletes its file first (in a write transaction)."""
        lock = self._held.pop(session_id, None)
        if lock is None:
            return
        if remove:
            _remove_and_release(lock, self.path_for(session_id))
        else:
            lock.release()

    def release_all(self) -> None:
        """Let go of every lock without removing files (the next prober tidies up)."""
        for session_id in list(self._held):
            self.release(session_id, remove=False)

    def is_live(self, session_id: int) -> bool:
        """True when another lock holder owns the session (a live process, or another Store)."""
        if session_id in self._held:
            return True
        import filelock

        probe = filelock.FileLock(self.path_for(session_id), thread_local=False)
        try:
            probe.acquire(blocking=False)
        except filelock.Timeout:
            return True
        _remove_and_release(probe, self.path_for(session_id))
        return False

    def lock_files(self) -> dict[int, Path]:
        """The session lock files present beside the database, by session id."""
        pattern = _lock_pattern(self._db_path)
        found: dict[int, Path] = {}
        try:
            entries = list(self._db_path.parent.iterdir())
        except OSError:
            return found
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match:
                found[int(match.group(1))] = entry
        return found

    def remove_stale(self, keep: set[int]) -> None:
        """Remove lock files of sessions not in `keep` whose lock nobody holds."""
        for session_id in self.lock_files():
            if session_id not in keep and session_id not in self._held:
                self.is_live(session_id)  # removes the file when nobody holds it
