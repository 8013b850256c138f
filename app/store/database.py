"""The Baseline database: one SQLite file in WAL mode, private to the user (mode 0600).

Every write commits at once, so a crash or a pulled plug loses at most the packet in flight.

Several processes share one database (the app, `record`, `import`, `backup`, `restore`):
every connection waits up to `BUSY_TIMEOUT_MS` for the single writer's lock, write transactions
are short, and a session being written over time is owned by its process through an OS lock
(`app.store.ownership`), so a dead writer's session is told from a live one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs

from app.store.migrations import migrate
from app.store.ownership import SessionLocks
from app.store.readable import (
    number_or_nan,
    readable_log_row,
    readable_mark_row,
    readable_reading_row,
    readable_session_row,
)
from app.store.records import (
    BeatRecord,
    HeartRateRecord,
    LogEntry,
    MarkRecord,
    SessionKind,
    SessionRecord,
    SessionStatus,
    SettingKey,
)

DB_ENV_VAR = "BASELINE_DB"
BUSY_TIMEOUT_MS = 20_000
"""How long any connection waits for another process's write transaction before failing."""
STAGING_STATUS = "staging"
"""Status of a session an import is still writing: invisible until the import's last step."""
RECORD_WAIT_MS = 250
"""How long a recorded packet waits for another writer before it is buffered instead."""
RecordedItem = BeatRecord | HeartRateRecord | MarkRecord
DATABASE_SUFFIXES = ("-wal", "-shm", "-journal")
"""The companion files SQLite keeps beside a database file."""
StoreError = sqlite3.Error
"""Any failure of the database (for callers that must not depend on `sqlite3` itself)."""
DamagedDatabaseError = sqlite3.DatabaseError
"""The file is not a usable database (damaged, or not a database at all)."""


class SourceState(StrEnum):
    """Whether an imported file's content is in the database."""

    NEW = "new"
    KNOWN = "known"
    DELETED = "deleted"


_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """True for "database is locked"/"busy": another writer held the lock too long."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF in _BUSY_CODES
    return "locked" in str(exc) or "busy" in str(exc)


_SESSION_COLUMNS = (
    "id, kind, started_at, ended_at, status, sensor_name, sensor_address, rate_bpm, pattern_json,"
    " duration_s, stress_before, stress_after, note, source_hash, simulated"
)


def default_db_path() -> Path:
    """`$BASELINE_DB` if set, else `baseline.db` in the platform's user data folder."""
    override = os.environ.get(DB_ENV_VAR)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("Baseline", appauthor=False)) / "baseline.db"


def now_local() -> datetime:
    """The current time, timezone-aware in the local zone."""
    return datetime.now().astimezone()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="milliseconds")


UNREADABLE_TIME = datetime(1, 1, 1, tzinfo=UTC)
"""Stands for a stored time that is not a date at all: the views skip it as impossible."""


def _stored_time(text: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return UNREADABLE_TIME
    return moment


def _session_from_row(row: Sequence[Any]) -> SessionRecord | None:
    """The row as a record; None for a kind or status this version does not know, or a value
    of the wrong type (a row from a hand-edited database), which no view can show."""
    if not readable_session_row(row):
        return None
    try:
        kind = SessionKind(row[1])
        status = SessionStatus(row[4])
    except ValueError:
        return None
    return SessionRecord(
        id=int(row[0]),
        kind=kind,
        started_at=_stored_time(row[2]),
        ended_at=_stored_time(row[3]) if row[3] else None,
        status=status,
        sensor_name=row[5],
        sensor_address=row[6],
        rate_bpm=row[7],
        pattern_json=row[8],
        duration_s=row[9],
        stress_before=row[10],
        stress_after=row[11],
        note=row[12],
        source_hash=row[13],
        simulated=bool(row[14]),
    )


def _insert_recorded(
    conn: sqlite3.Connection, session_id: int, items: Sequence[RecordedItem]
) -> None:
    """Insert beats (numbered after the session's last), readings and marks in order."""
    seq = conn.execute(
        "SELECT COALESCE(max(seq) + 1, 0) FROM beats WHERE session_id = ?", (session_id,)
    ).fetchone()[0]
    for item in items:
        if isinstance(item, BeatRecord):
            conn.execute(
                "INSERT INTO beats (session_id, seq, t_ms, rr_ms, artifact, gap_before)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    seq,
                    item.t_ms,
                    item.rr_ms,
                    int(item.artifact),
                    int(item.gap_before),
                ),
            )
            seq += 1
        elif isinstance(item, HeartRateRecord):
            conn.execute(
                "INSERT INTO heart_rate (session_id, t_ms, bpm, contact) VALUES (?, ?, ?, ?)",
                (
                    session_id,
                    item.t_ms,
                    item.bpm,
                    None if item.contact is None else int(item.contact),
                ),
            )
        else:
            conn.execute(
                "INSERT INTO marks (session_id, t_ms, kind, detail) VALUES (?, ?, ?, ?)",
                (session_id, item.t_ms, item.kind, item.detail),
            )


class Store:
    """Typed access to the Baseline database. Build it with `open_store` and pass it in."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self.path = path
        self._locks = SessionLocks(path) if path is not None else None
        self._owned: set[int] = set()  # sessions this Store writes over time
        self._pending: dict[int, list[RecordedItem]] = {}  # recorded items the lock kept out

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, for the store's own layers (`app.formats`, `app.commands`)."""
        return self._conn

    def close(self) -> None:
        """Close the connection; sessions still owned are abandoned (a later check closes them)."""
        try:
            for session_id in list(self._pending):
                self.flush_recorded(session_id)
        finally:
            if self._locks is not None:
                self._locks.release_all()
            self._owned.clear()
            self.conn.close()

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE` ... `COMMIT`: takes the write lock first (waiting up to the busy
        timeout), so the transaction never fails half-way on another writer."""
        conn = self.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    @contextlib.contextmanager
    def busy_wait(self, timeout_ms: int) -> Iterator[None]:
        """Wait at most `timeout_ms` for the write lock inside this block (default afterwards)."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    # -- ownership ------------------------------------------------------------------------
    def own_session(self, session_id: int) -> None:
        """Hold the session's OS lock (call inside the write transaction that creates it)."""
        if self._locks is not None:
            self._locks.claim(session_id)
        self._owned.add(session_id)

    def disown_session(self, session_id: int) -> None:
        """Let go of a session's lock and remove its file (call inside a write transaction)."""
        if self._locks is not None:
            self._locks.release(session_id)
        self._owned.discard(session_id)

    def _owner_alive(self, session_id: int) -> bool:
        """Someone other than this Store holds the session (call inside a write transaction)."""
        if session_id in self._owned or self._locks is None:
            return False
        return self._locks.is_live(session_id)

    def running_sessions(self) -> list[SessionRecord]:
        """Sessions being recorded now, by this Store or by any live process, oldest first."""
        running: list[SessionRecord] = []
        with self.write_transaction() as conn:
            rows = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE status = 'active'"
                " ORDER BY started_at, id"
            ).fetchall()
            for row in rows:
                record = _session_from_row(row)
                if record is None:
                    continue
                if record.id in self._owned or (
                    self._locks is not None and self._locks.is_live(record.id)
                ):
                    running.append(record)
        return running

    # -- sessions -------------------------------------------------------------------------
    def start_session(
        self,
        kind: SessionKind | str,
        started_at: datetime | None = None,
        *,
        sensor_name: str | None = None,
        sensor_address: str | None = None,
        rate_bpm: float | None = None,
        pattern_json: str | None = None,
        source_hash: str | None = None,
        simulated: bool = False,
    ) -> int:
        """Create a session in state `active`, owned by this Store until finished; return its id.

        `simulated`: the beats come from the demo strap (a demo sensor address marks it too).
        """
        with self.write_transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (kind, started_at, status, sensor_name, sensor_address,"
                " rate_bpm, pattern_json, source_hash, simulated)"
                " VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?)",
                (
                    SessionKind(kind).value,
                    _iso(started_at or now_local()),
                    sensor_name,
                    sensor_address,
                    rate_bpm,
                    pattern_json,
                    source_hash,
                    int(simulated),
                ),
            )
            assert cur.lastrowid is not None
            session_id = int(cur.lastrowid)
            self.own_session(session_id)
        return session_id

    def set_sensor(self, session_id: int, name: str | None, address: str | None) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE sessions SET sensor_name = ?, sensor_address = ? WHERE id = ?",
                (name, address, session_id),
            )

    def finish_session(
        self,
        session_id: int,
        *,
        ended_at: datetime | None = None,
        status: SessionStatus | str = SessionStatus.COMPLETE,
        duration_s: float | None = None,
    ) -> None:
        status = SessionStatus(status)  # ValueError before anything changes
        with self.write_transaction() as conn:
            pending = self._pending.pop(session_id, None)
            if pending:
                _insert_recorded(conn, session_id, pending)
            conn.execute(
                "UPDATE sessions SET ended_at = ?, status = ?, duration_s = ? WHERE id = ?",
                (
                    _iso(ended_at or now_local()),
                    SessionStatus(status).value,
                    duration_s,
                    session_id,
                ),
            )
            self.disown_session(session_id)

    def set_reflection(
        self,
        session_id: int,
        *,
        stress_before: int | None,
        stress_after: int | None,
        note: str | None,
    ) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE sessions SET stress_before = ?, stress_after = ?, note = ? WHERE id = ?",
                (stress_before, stress_after, note, session_id),
            )

    def session(self, session_id: int) -> SessionRecord | None:
        row = self.conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ? AND deleted_at IS NULL"
            " AND status != ?",
            (session_id, STAGING_STATUS),
        ).fetchone()
        return _session_from_row(row) if row else None

    def sessions(
        self, *, kind: SessionKind | str | None = None, include_simulated: bool = True
    ) -> list[SessionRecord]:
        """Sessions newest first, without soft-deleted ones.

        `include_simulated=False` leaves out demo-strap sessions: what every measured view
        (baseline, readiness, recovery, assessments, the report) reads.
        """
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE deleted_at IS NULL AND status != ?"
        if not include_simulated:
            sql += " AND simulated = 0"
        args: tuple[Any, ...] = (STAGING_STATUS,)
        if kind is not None:
            sql += " AND kind = ?"
            args = (STAGING_STATUS, SessionKind(kind).value)
        sql += " ORDER BY started_at DESC, id DESC"
        records = (_session_from_row(r) for r in self.conn.execute(sql, args))
        return [r for r in records if r is not None]

    def beat_counts(self) -> dict[int, int]:
        """The number of stored beats of every session that has any, by session id."""
        return {
            int(session_id): int(n)
            for session_id, n in self.conn.execute(
                "SELECT session_id, count(*) FROM beats GROUP BY session_id"
            )
        }

    def source_state(self, source_hash: str) -> SourceState:
        """Whether a file with this content hash was imported: kept, deleted or never."""
        rows = self.conn.execute(
            "SELECT deleted_at FROM sessions WHERE source_hash = ? AND status != ?",
            (source_hash, STAGING_STATUS),
        ).fetchall()
        if not rows:
            return SourceState.NEW
        return SourceState.KNOWN if any(r[0] is None for r in rows) else SourceState.DELETED

    def has_session_at(self, kind: str, started_at: datetime) -> bool:
        """A kept session of this kind starts at exactly this moment (to the millisecond)."""
        row = self.conn.execute(
            "SELECT 1 FROM sessions WHERE kind = ? AND started_at = ? AND deleted_at IS NULL"
            " AND status != ?",
            (str(kind), _iso(started_at), STAGING_STATUS),
        ).fetchone()
        return row is not None

    def delete_session(self, session_id: int) -> None:
        """Soft delete: hidden at once, restorable with `undelete_session` until purged."""
        with self.conn:
            self.conn.execute(
                "UPDATE sessions SET deleted_at = ? WHERE id = ?", (_iso(now_local()), session_id)
            )

    def undelete_session(self, session_id: int) -> None:
        with self.conn:
            self.conn.execute("UPDATE sessions SET deleted_at = NULL WHERE id = ?", (session_id,))

    def discard_session(self, session_id: int) -> None:
        """Remove a session this Store is writing, with all its data, for good (a session too
        short to keep); its lock is let go."""
        with self.write_transaction() as conn:
            self._pending.pop(session_id, None)
            for table in ("beats", "heart_rate", "marks"):
                conn.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            self.disown_session(session_id)

    def purge_deleted(self) -> int:
        """Remove soft-deleted sessions and their data for good; returns how many."""
        with self.conn:
            ids = [
                r[0]
                for r in self.conn.execute("SELECT id FROM sessions WHERE deleted_at IS NOT NULL")
            ]
            for table in ("beats", "heart_rate", "marks"):
                self.conn.executemany(
                    f"DELETE FROM {table} WHERE session_id = ?", [(i,) for i in ids]
                )
            self.conn.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in ids])
        return len(ids)

    def checkpoint_session(self, session_id: int, *, active_s: float) -> None:
        """Record that a running session is still alive, with its active length so far.

        A session without beats (pacer only) has nothing else that shows how far it got, so
        after a crash `close_unfinished` ends it at the last checkpoint instead of its start.
        """
        with self.conn:
            self.conn.execute(
                "UPDATE sessions SET ended_at = ?, duration_s = ?"
                " WHERE id = ? AND status = 'active'",
                (_iso(now_local()), active_s, session_id),
            )

    def close_unfinished(self) -> list[int]:
        """Close what dead writers left behind; returns the ids of sessions now `interrupted`.

        A session left `active` whose owner is gone (its process died, or the Store that started
        it was closed without finishing it) becomes `interrupted` and keeps its data; a session
        whose owner still runs, in this or another process, is left alone. Sessions this Store
        itself still owns count as left behind (the caller declares them abandoned). Rows an
        import was staging when it died are deleted, and stray lock files are removed.

        The end time is the later of the last checkpoint and the start plus the last stored beat,
        reading or mark; the length is the checkpointed active length, else the data's span.
        """
        closed: list[int] = []
        with self.write_transaction() as conn:
            rows = conn.execute(
                "SELECT id, started_at, ended_at, status FROM sessions WHERE status IN (?, ?)",
                ("active", STAGING_STATUS),
            ).fetchall()
            keep: set[int] = set()
            for session_id, started_at, checkpoint_at, status in rows:
                session_id = int(session_id)
                if status == STAGING_STATUS:
                    if session_id in self._owned or self._owner_alive(session_id):
                        keep.add(session_id)
                    else:
                        conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                    continue
                if self._owner_alive(session_id):
                    keep.add(session_id)
                    continue
                self._interrupt(conn, session_id, started_at, checkpoint_at)
                self.disown_session(session_id)
                closed.append(session_id)
            if self._locks is not None:
                self._locks.remove_stale(keep)
        return closed

    @staticmethod
    def _interrupt(
        conn: sqlite3.Connection, session_id: int, started_at: str, checkpoint_at: str | None
    ) -> None:
        last_ms = conn.execute(
            "SELECT max(t) FROM (SELECT max(t_ms) AS t FROM beats WHERE session_id = ?1"
            " UNION ALL SELECT max(t_ms) FROM heart_rate WHERE session_id = ?1"
            " UNION ALL SELECT max(t_ms) FROM marks WHERE session_id = ?1)",
            (session_id,),
        ).fetchone()[0]
        start = datetime.fromisoformat(started_at)
        ended = start + timedelta(milliseconds=float(last_ms or 0.0))
        if checkpoint_at is not None:
            ended = max(ended, datetime.fromisoformat(checkpoint_at))
        conn.execute(
            "UPDATE sessions SET status = 'interrupted', ended_at = ?,"
            " duration_s = COALESCE(duration_s, ?) WHERE id = ?",
            (_iso(ended), float(last_ms or 0.0) / 1000.0, session_id),
        )

    # -- beats, readings, marks ----------------------------------------------------------
    def add_beats(self, session_id: int, beats: Iterable[BeatRecord]) -> None:
        """Append beats in arrival order and commit at once."""
        rows = list(beats)
        if not rows:
            return
        with self.conn:
            start = self.conn.execute(
                "SELECT COALESCE(max(seq) + 1, 0) FROM beats WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            self.conn.executemany(
                "INSERT INTO beats (session_id, seq, t_ms, rr_ms, artifact, gap_before)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (session_id, start + i, b.t_ms, b.rr_ms, int(b.artifact), int(b.gap_before))
                    for i, b in enumerate(rows)
                ],
            )

    def record_items(self, session_id: int, items: Sequence[RecordedItem]) -> bool:
        """Store a running session's beats, readings and marks in order, never failing on busy.

        The items join the session's buffer, and the buffer is written oldest first in one
        transaction that waits at most `RECORD_WAIT_MS` for another writer. When the database
        stays busy the items wait in the buffer for the next call (or `flush_recorded`,
        `finish_session`). Returns True when nothing is left waiting.
        """
        self._pending.setdefault(session_id, []).extend(items)
        return self.flush_recorded(session_id, wait_ms=RECORD_WAIT_MS)

    def pending_count(self, session_id: int) -> int:
        return len(self._pending.get(session_id, ()))

    def flush_recorded(self, session_id: int, *, wait_ms: int | None = None) -> bool:
        """Write the session's buffered items; with `wait_ms` None, wait the full busy timeout
        and raise when the database stays busy. Returns True when nothing is left waiting."""
        pending = self._pending.get(session_id)
        if not pending:
            return True
        try:
            with (
                self.busy_wait(BUSY_TIMEOUT_MS if wait_ms is None else wait_ms),
                self.write_transaction() as conn,
            ):
                _insert_recorded(conn, session_id, pending)
        except sqlite3.OperationalError as exc:
            if wait_ms is None or not is_busy(exc):
                raise
            return False
        del self._pending[session_id]
        return True

    def beats(self, session_id: int) -> list[BeatRecord]:
        """The session's beats in order; a stored time or RR that is not a number reads as NaN
        (`validation.showable_beats` skips it and counts it)."""
        return [
            BeatRecord(
                t_ms=number_or_nan(r[0]),
                rr_ms=number_or_nan(r[1]),
                artifact=bool(r[2]),
                gap_before=bool(r[3]),
            )
            for r in self.conn.execute(
                "SELECT t_ms, rr_ms, artifact, gap_before FROM beats WHERE session_id = ?"
                " ORDER BY seq",
                (session_id,),
            )
        ]

    def add_heart_rate(self, session_id: int, readings: Iterable[HeartRateRecord]) -> None:
        rows = [
            (session_id, r.t_ms, r.bpm, None if r.contact is None else int(r.contact))
            for r in readings
        ]
        if not rows:
            return
        with self.conn:
            self.conn.executemany(
                "INSERT INTO heart_rate (session_id, t_ms, bpm, contact) VALUES (?, ?, ?, ?)", rows
            )

    def heart_rate(self, session_id: int) -> list[HeartRateRecord]:
        return [
            HeartRateRecord(t_ms=r[0], bpm=r[1], contact=None if r[2] is None else bool(r[2]))
            for r in self.conn.execute(
                "SELECT t_ms, bpm, contact FROM heart_rate WHERE session_id = ? ORDER BY rowid",
                (session_id,),
            )
            if readable_reading_row(r)
        ]

    def add_mark(self, session_id: int, mark: MarkRecord) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT INTO marks (session_id, t_ms, kind, detail) VALUES (?, ?, ?, ?)",
                (session_id, mark.t_ms, mark.kind, mark.detail),
            )

    def marks(self, session_id: int) -> list[MarkRecord]:
        return [
            MarkRecord(t_ms=r[0], kind=r[1], detail=r[2])
            for r in self.conn.execute(
                "SELECT t_ms, kind, detail FROM marks WHERE session_id = ? ORDER BY rowid",
                (session_id,),
            )
            if readable_mark_row(r)
        ]

    # -- daily log -----------------------------------------------------------------------
    def upsert_log(self, entry: LogEntry) -> None:
        """Store the day's entry; an existing entry for that date is replaced."""
        with self.conn:
            self.write_log_row(entry)

    def write_log_row(self, entry: LogEntry) -> None:
        """Insert or replace the day's manual values without committing (caller's transaction).

        Only the manually logged columns are replaced: values that came from elsewhere for the
        same day (an imported SDNN) are kept.
        """
        self.conn.execute(
            "INSERT INTO daily_log (date, rmssd_ms, resting_hr_bpm, sleep, stress, mood, note,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(date) DO UPDATE SET"
            " rmssd_ms = excluded.rmssd_ms, resting_hr_bpm = excluded.resting_hr_bpm,"
            " sleep = excluded.sleep, stress = excluded.stress, mood = excluded.mood,"
            " note = excluded.note, updated_at = excluded.updated_at",
            (
                entry.date,
                entry.rmssd_ms,
                entry.resting_hr_bpm,
                entry.sleep,
                entry.stress,
                entry.mood,
                entry.note,
                _iso(now_local()),
            ),
        )

    def log_entries(self) -> list[LogEntry]:
        """All log entries that can be read, oldest first."""
        return [
            LogEntry(*r)
            for r in self.conn.execute(
                "SELECT date, rmssd_ms, resting_hr_bpm, sleep, stress, mood, note FROM daily_log"
                " ORDER BY date"
            )
            if readable_log_row(r)
        ]

    def unreadable_rows(self) -> int:
        """How many sessions and log days the views leave out because a stored value has the
        wrong type or an unknown kind or status (see `app.store.readable`)."""
        stored_sessions = self.conn.execute(
            "SELECT count(*) FROM sessions WHERE deleted_at IS NULL AND status != ?",
            (STAGING_STATUS,),
        ).fetchone()[0]
        stored_days = self.conn.execute("SELECT count(*) FROM daily_log").fetchone()[0]
        readable = len(self.sessions()) + len(self.log_entries())
        return int(stored_sessions) + int(stored_days) - readable

    # -- settings ------------------------------------------------------------------------
    def get_setting(self, key: SettingKey) -> Any:
        """The stored value, or None when there is none or it is not readable JSON (the
        caller's default applies)."""
        row = self.conn.execute(
            "SELECT value_json FROM settings WHERE key = ?", (SettingKey(key).value,)
        ).fetchone()
        if row is None or not isinstance(row[0], str | bytes):
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None

    def set_setting(self, key: SettingKey, value: Any) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO settings (key, value_json) VALUES (?, ?)",
                (SettingKey(key).value, json.dumps(value)),
            )

    def database_files(self) -> tuple[Path, ...]:
        """The files of this database: the main file and its -wal/-shm/-journal companions."""
        files: list[Path] = []
        for _seq, _name, filename in self.conn.execute("PRAGMA database_list"):
            if filename:
                main = Path(filename)
                files.append(main)
                files.extend(Path(f"{main}{suffix}") for suffix in DATABASE_SUFFIXES)
        return tuple(files)

    def commit_pending(self) -> None:
        """End an open transaction (before another connection replaces the file)."""
        if self.conn.in_transaction:
            self.conn.commit()

    def upgrade_schema(self) -> None:
        """Bring the database under this connection to the current schema (after a restore)."""
        migrate(self.conn)

    def integrity_ok(self) -> bool:
        return bool(self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL. SQLite answers "locked" at once, without waiting, while another
    program is switching the same new file, so the switch is tried again until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000.0
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def open_store(path: Path | str | None = None) -> Store:
    """Open (creating and migrating if needed) the database at `path`; `:memory:` works too."""
    if path is None:
        path = default_db_path()
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:")
        resolved: Path | None = None
    else:
        resolved = Path(path).expanduser()
        if resolved.is_dir():
            raise IsADirectoryError(f"{resolved} is a folder, not a database file")
        _create_private_file(resolved)
        conn = sqlite3.connect(resolved, isolation_level="IMMEDIATE")
        _use_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    migrate(conn)
    return Store(conn, resolved)
