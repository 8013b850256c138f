"""Writing imported files to the store: a batch is all or nothing, each file stored once.

Reading (`read_all`) and writing (`write_all`) are separate so that every file is parsed before
anything is written: one bad file means nothing is written.

Other processes (a running recording, the app) share the database, so no write transaction is
long. The beats and readings of each new recording are first staged in short transactions of
`STAGE_CHUNK_ROWS` rows under a session row of status `staging`, which no reader shows and which
this process owns through its OS lock (`Store.own_session`). One short final transaction then
decides everything (duplicates, log values) and turns the staged rows into sessions, or deletes
them; if the process dies before that, the next `Store.close_unfinished` deletes what it staged.

A recording's start is the file's own time; without one, the caller's `at`, else the file's
modification time (local zone).
A recording file is stored once: its SHA-256 goes into `sessions.source_hash` (unique); importing
the file of a deleted (not yet purged) session brings that session back. A Baseline
export's sessions are matched by kind and start time instead (their own `source_hash` is kept).
Daily values fill the log's `rmssd_ms` / `resting_hr_bpm` / `sdnn_ms` for their dates and leave the
rest of an existing entry alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.formats import extras
from app.formats.errors import FormatError
from app.formats.recording import (
    ArchiveLogEntry,
    ArchiveSession,
    Imported,
    ImportedArchive,
    ImportedDailyValues,
    ImportedRecording,
)
from app.formats.registry import read_source
from app.formats.source import Source
from app.store import Store
from app.store.database import STAGING_STATUS
from app.store.records import SessionKind
from app.store.validation import LimitError, check_moment

DEFAULT_KIND = SessionKind.RECORDING
STAGE_CHUNK_ROWS = 10_000
"""Rows per staging transaction: a few tens of milliseconds of holding the write lock."""


class ImportFileError(FormatError):
    """A file could not be read; `path` names it and the message says why."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ReadFile:
    """One parsed file, ready to be written."""

    path: Path
    imported: Imported
    mtime: datetime | None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to one file (or one session of an export)."""

    source_name: str
    format: str
    status: str  # imported | already imported | restored (was deleted) | updated
    started_at: datetime | None = None
    start_from: str | None = None  # file | --at | mtime
    n_beats: int = 0
    n_days: int = 0
    session_id: int | None = None


def read_file(path: Path) -> ReadFile:
    """Parse one file without writing anything. Raises ImportFileError."""
    try:
        source = Source.from_path(path)
        imported = read_source(source)
        mtime = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except FormatError as exc:
        raise ImportFileError(path, str(exc)) from exc
    except OSError as exc:
        raise ImportFileError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    return ReadFile(path=path, imported=imported, mtime=mtime)


def read_all(paths: Sequence[Path]) -> list[ReadFile]:
    """Parse every file; the first bad one raises ImportFileError and nothing is returned."""
    return [read_file(Path(p)) for p in paths]


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="milliseconds")


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


def _insert_beats(
    conn: sqlite3.Connection, session_id: int, recording: ImportedRecording, start: int, stop: int
) -> None:
    conn.executemany(
        "INSERT INTO beats (session_id, seq, t_ms, rr_ms, artifact, gap_before)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            (session_id, start + i, t, rr, int(a), int(g))
            for i, (t, rr, a, g) in enumerate(
                zip(
                    recording.t_ms[start:stop].tolist(),
                    recording.rr_ms[start:stop].tolist(),
                    recording.artifact[start:stop].tolist(),
                    recording.gap_before[start:stop].tolist(),
                    strict=True,
                )
            )
        ),
    )


def _insert_readings(
    conn: sqlite3.Connection, session_id: int, recording: ImportedRecording, start: int, stop: int
) -> None:
    conn.executemany(
        "INSERT INTO heart_rate (session_id, t_ms, bpm, contact) VALUES (?, ?, ?, ?)",
        (
            (session_id, r.t_ms, r.bpm, None if r.contact is None else int(r.contact))
            for r in recording.heart_rate[start:stop]
        ),
    )


class _Writer:
    """Inserts inside the caller's transaction (never commits)."""

    def __init__(self, conn: sqlite3.Connection, staged: dict[int, int] | None = None) -> None:
        self.conn = conn
        self.has_sdnn = _has_column(conn, "daily_log", "sdnn_ms")
        self.has_value_source = _has_column(conn, "daily_log", "value_source")
        self.hashes_written: set[str] = set()
        # staged session id by id() of the recording whose beats and readings it holds
        self.staged = dict(staged or {})

    def hash_known(self, sha256: str) -> bool:
        if sha256 in self.hashes_written:
            return True
        row = self.conn.execute(
            "SELECT 1 FROM sessions WHERE source_hash = ? AND status != ?", (sha256, STAGING_STATUS)
        ).fetchone()
        return row is not None

    def session_by_hash(self, sha256: str) -> tuple[int, datetime, bool] | None:
        """The session stored from this content: id, start, and whether it was deleted."""
        row = self.conn.execute(
            "SELECT id, started_at, deleted_at FROM sessions WHERE source_hash = ? AND status != ?",
            (sha256, STAGING_STATUS),
        ).fetchone()
        if row is None:
            return None
        return int(row[0]), datetime.fromisoformat(row[1]), row[2] is not None

    def undelete(self, session_id: int) -> None:
        self.conn.execute("UPDATE sessions SET deleted_at = NULL WHERE id = ?", (session_id,))

    def session_exists(self, kind: str, started_at: datetime) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sessions WHERE kind = ? AND started_at = ? AND deleted_at IS NULL"
            " AND status != ?",
            (kind, _iso(started_at), STAGING_STATUS),
        ).fetchone()
        return row is not None

    def insert_session(
        self,
        recording: ImportedRecording,
        *,
        kind: str,
        started_at: datetime,
        ended_at: datetime,
        status: str,
        source_hash: str | None,
        session: ArchiveSession | None = None,
    ) -> int:
        duration_s = session.duration_s if session is not None else recording.duration_s
        staged_id = self.staged.pop(id(recording), None)
        values = (
            kind,
            _iso(started_at),
            _iso(ended_at),
            status,
            recording.sensor_name,
            recording.sensor_address,
            session.rate_bpm if session else None,
            session.pattern_json if session else None,
            duration_s,
            session.stress_before if session else None,
            session.stress_after if session else None,
            session.note if session else None,
            source_hash,
            int(recording.simulated),
        )
        if staged_id is not None:
            self.conn.execute(
                "UPDATE sessions SET kind = ?, started_at = ?, ended_at = ?, status = ?,"
                " sensor_name = ?, sensor_address = ?, rate_bpm = ?, pattern_json = ?,"
                " duration_s = ?, stress_before = ?, stress_after = ?, note = ?,"
                " source_hash = ?, simulated = ? WHERE id = ?",
                (*values, staged_id),
            )
            self._add_session_extras(staged_id, session)
            if source_hash is not None:
                self.hashes_written.add(source_hash)
            return staged_id
        wanted_id = session.original_id if session is not None else None
        if (
            wanted_id is not None
            and self.conn.execute("SELECT 1 FROM sessions WHERE id = ?", (wanted_id,)).fetchone()
        ):
            wanted_id = None
        cur = self.conn.execute(
            "INSERT INTO sessions (id, kind, started_at, ended_at, status, sensor_name,"
            " sensor_address, rate_bpm, pattern_json, duration_s, stress_before, stress_after,"
            " note, source_hash, simulated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (wanted_id, *values),
        )
        assert cur.lastrowid is not None
        session_id = int(cur.lastrowid)
        _insert_beats(self.conn, session_id, recording, 0, len(recording.rr_ms))
        _insert_readings(self.conn, session_id, recording, 0, len(recording.heart_rate))
        self._add_session_extras(session_id, session)
        if source_hash is not None:
            self.hashes_written.add(source_hash)
        return session_id

    def _add_session_extras(self, session_id: int, session: ArchiveSession | None) -> None:
        if session is not None:
            self.conn.executemany(
                "INSERT INTO marks (session_id, t_ms, kind, detail) VALUES (?, ?, ?, ?)",
                ((session_id, m.t_ms, m.kind, m.detail) for m in session.marks),
            )
            if session.readiness is not None:
                self.require_table("readiness")
                extras.insert_row(
                    self.conn, "readiness", (("session_id", session_id), *session.readiness)
                )

    def require_table(self, table: str) -> None:
        if not extras.table_exists(self.conn, table):
            raise FormatError(f"this database has no {table} table yet (schema too old)")

    def add_moments(self, rows: Sequence[tuple[tuple[str, object], ...]]) -> int:
        """Moments of ease for days that have none yet; returns how many were added."""
        by_day: dict[object, list[tuple[tuple[str, object], ...]]] = {}
        for row in rows:
            by_day.setdefault(dict(row)["date"], []).append(row)
        added = 0
        for day, day_rows in by_day.items():
            self.require_table("moments_of_ease")
            if self.conn.execute("SELECT 1 FROM moments_of_ease WHERE date = ?", (day,)).fetchone():
                continue
            for row in day_rows:
                extras.insert_row(self.conn, "moments_of_ease", row)
                added += 1
        return added

    def add_checkins(self, rows: Sequence[tuple[tuple[str, object], ...]]) -> int:
        """Weekly check-ins for weeks that have none yet; returns how many were added."""
        added = 0
        for row in rows:
            self.require_table("weekly_checkins")
            if self.conn.execute(
                "SELECT 1 FROM weekly_checkins WHERE week_start = ?", (dict(row)["week_start"],)
            ).fetchone():
                continue
            extras.insert_row(self.conn, "weekly_checkins", row)
            added += 1
        return added

    def merge_log(self, entry: ArchiveLogEntry) -> bool:
        """Set the entry's non-empty fields on its date; True when anything changed."""
        fields = {
            "rmssd_ms": entry.rmssd_ms,
            "resting_hr_bpm": entry.resting_hr_bpm,
            "sleep": entry.sleep,
            "stress": entry.stress,
            "mood": entry.mood,
            "note": entry.note,
        }
        if self.has_value_source:
            fields["value_source"] = entry.value_source
        if self.has_sdnn:
            fields["sdnn_ms"] = entry.sdnn_ms
        elif entry.sdnn_ms is not None:
            raise FormatError("this database cannot hold SDNN values yet (schema too old)")
        given = {k: v for k, v in fields.items() if v is not None}
        if not given:
            return False
        names = ", ".join(given)
        row = self.conn.execute(
            f"SELECT {names} FROM daily_log WHERE date = ?", (entry.date,)
        ).fetchone()
        if row is not None and tuple(row) == tuple(given.values()):
            return False
        now = _iso(datetime.now().astimezone())
        if row is None:
            self.conn.execute(
                f"INSERT INTO daily_log (date, {names}, updated_at)"
                f" VALUES (?, {', '.join('?' for _ in given)}, ?)",
                (entry.date, *given.values(), now),
            )
        else:
            assignments = ", ".join(f"{k} = ?" for k in given)
            self.conn.execute(
                f"UPDATE daily_log SET {assignments}, updated_at = ? WHERE date = ?",
                (*given.values(), now, entry.date),
            )
        return True


def _write_recording(
    writer: _Writer,
    item: ReadFile,
    recording: ImportedRecording,
    kind: SessionKind,
    at: datetime | None,
) -> ImportOutcome:
    name = item.path.name
    if writer.hash_known(recording.content_sha256):
        known = writer.session_by_hash(recording.content_sha256)
        deleted = known is not None and known[2]
        if known is not None and deleted:
            writer.undelete(known[0])  # importing a deleted recording again brings it back
        return ImportOutcome(
            name,
            recording.format,
            "restored" if deleted else "already imported",
            known[1] if known else recording.started_at,
            "file",
            n_beats=recording.n_beats,
            session_id=known[0] if known else None,
        )
    if recording.started_at is not None:
        started, start_from = recording.started_at, "file"
    elif at is not None:
        started, start_from = at, "--at"
    elif item.mtime is not None:
        started = item.mtime - timedelta(seconds=recording.duration_s)
        start_from = "mtime"
        try:
            check_moment("start (from the file's date)", started, now=datetime.now().astimezone())
        except LimitError as exc:
            raise ImportFileError(item.path, f"{exc}; give the start with --at") from exc
    else:
        started, start_from = datetime.now().astimezone(), "now"
    ended = started + timedelta(seconds=recording.duration_s)
    session_id = writer.insert_session(
        recording,
        kind=kind,
        started_at=started,
        ended_at=ended,
        status="complete",
        source_hash=recording.content_sha256,
    )
    return ImportOutcome(
        name,
        recording.format,
        "imported",
        started,
        start_from,
        recording.n_beats,
        session_id=session_id,
    )


def _write_archive(
    writer: _Writer, item: ReadFile, archive: ImportedArchive
) -> list[ImportOutcome]:
    outcomes: list[ImportOutcome] = []
    for session in archive.sessions:
        recording = session.recording
        kind = recording.kind or DEFAULT_KIND
        started = recording.started_at
        assert started is not None
        by_hash = (
            writer.session_by_hash(session.source_hash) if session.source_hash is not None else None
        )
        if by_hash is not None and by_hash[2]:
            writer.undelete(by_hash[0])
        known = (
            session.source_hash is not None and writer.hash_known(session.source_hash)
        ) or writer.session_exists(kind, started)
        if known:
            outcomes.append(
                ImportOutcome(
                    item.path.name,
                    archive.format,
                    "restored" if by_hash is not None and by_hash[2] else "already imported",
                    started,
                    "file",
                    recording.n_beats,
                )
            )
            continue
        session_id = writer.insert_session(
            recording,
            kind=kind,
            started_at=started,
            ended_at=recording.ended_at or started + timedelta(seconds=recording.duration_s),
            status=recording.status or "complete",
            source_hash=session.source_hash,
            session=session,
        )
        outcomes.append(
            ImportOutcome(
                item.path.name,
                archive.format,
                "imported",
                started,
                "file",
                recording.n_beats,
                session_id=session_id,
            )
        )
    changed = sum(writer.merge_log(entry) for entry in archive.log)
    changed += writer.add_moments(archive.moments) + writer.add_checkins(archive.checkins)
    if archive.log or archive.moments or archive.checkins:
        outcomes.append(
            ImportOutcome(
                item.path.name,
                archive.format,
                "updated" if changed else "already imported",
                n_days=len(archive.log),
            )
        )
    return outcomes


def _write_daily(writer: _Writer, item: ReadFile, values: ImportedDailyValues) -> ImportOutcome:
    changed = 0
    for day in values.days:
        changed += writer.merge_log(
            ArchiveLogEntry(
                date=day.date.isoformat(),
                rmssd_ms=day.rmssd_ms,
                resting_hr_bpm=day.resting_hr_bpm,
                sdnn_ms=day.sdnn_ms,
            )
        )
    status = "imported" if changed else "already imported"
    return ImportOutcome(item.path.name, values.format, status, n_days=len(values.days))


def _candidates(items: Sequence[ReadFile]) -> list[tuple[ImportedRecording, int | None]]:
    """The recordings a batch may store as new sessions (those with beats or readings), each
    with the id its export gave it (kept when free)."""
    found: list[tuple[ImportedRecording, int | None]] = []
    for item in items:
        imported = item.imported
        if isinstance(imported, ImportedRecording):
            found.append((imported, None))
        elif isinstance(imported, ImportedArchive):
            found.extend((session.recording, session.original_id) for session in imported.sessions)
    return [(r, wanted) for r, wanted in found if len(r.rr_ms) or len(r.heart_rate)]


def _known_now(store: Store, recording: ImportedRecording) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM sessions WHERE source_hash = ? AND status != ?",
        (recording.content_sha256, STAGING_STATUS),
    ).fetchone()
    return row is not None


def _stage(
    store: Store, recording: ImportedRecording, kind: SessionKind, wanted_id: int | None
) -> int:
    """Write one recording's beats and readings under a hidden session row, in short steps."""
    with store.write_transaction() as conn:
        if (
            wanted_id is not None
            and conn.execute("SELECT 1 FROM sessions WHERE id = ?", (wanted_id,)).fetchone()
        ):
            wanted_id = None
        cur = conn.execute(
            "INSERT INTO sessions (id, kind, started_at, status) VALUES (?, ?, ?, ?)",
            (
                wanted_id,
                recording.kind or kind.value,
                _iso(datetime.now().astimezone()),
                STAGING_STATUS,
            ),
        )
        assert cur.lastrowid is not None
        session_id = int(cur.lastrowid)
        store.own_session(session_id)
    n_beats = len(recording.rr_ms)
    for start in range(0, n_beats, STAGE_CHUNK_ROWS):
        with store.write_transaction() as conn:
            _insert_beats(
                conn, session_id, recording, start, min(n_beats, start + STAGE_CHUNK_ROWS)
            )
    n_readings = len(recording.heart_rate)
    for start in range(0, n_readings, STAGE_CHUNK_ROWS):
        with store.write_transaction() as conn:
            stop = min(n_readings, start + STAGE_CHUNK_ROWS)
            _insert_readings(conn, session_id, recording, start, stop)
    return session_id


def _drop_staged(store: Store, staged_ids: Sequence[int]) -> None:
    """Delete staged rows that were not used (their beats go with them) and let go of them."""
    if not staged_ids:
        return
    with store.write_transaction() as conn:
        conn.executemany(
            "DELETE FROM sessions WHERE id = ? AND status = ?",
            [(i, STAGING_STATUS) for i in staged_ids],
        )
        for session_id in staged_ids:
            store.disown_session(session_id)


def write_all(
    store: Store,
    items: Sequence[ReadFile],
    *,
    kind: SessionKind = DEFAULT_KIND,
    at: datetime | None = None,
) -> list[ImportOutcome]:
    """Write every parsed file as one batch: everything becomes visible at once, or nothing.

    New recordings' beats and readings are staged first in short transactions; one short final
    transaction then stores the batch (see the module notes). `kind` applies to recordings (an
    export's sessions keep their own kinds); `at` is the start for recordings whose file has
    none.
    """
    kind = SessionKind(kind)  # raises ValueError for a kind this version does not know
    staged: dict[int, int] = {}
    try:
        for recording, wanted_id in _candidates(items):
            if id(recording) not in staged and not _known_now(store, recording):
                staged[id(recording)] = _stage(store, recording, kind, wanted_id)
        outcomes: list[ImportOutcome] = []
        with store.write_transaction() as conn:
            writer = _Writer(conn, staged)
            for item in items:
                imported = item.imported
                if isinstance(imported, ImportedRecording):
                    outcomes.append(_write_recording(writer, item, imported, kind, at))
                elif isinstance(imported, ImportedArchive):
                    outcomes.extend(_write_archive(writer, item, imported))
                else:
                    outcomes.append(_write_daily(writer, item, imported))
            unused = set(writer.staged.values())
            conn.executemany(
                "DELETE FROM sessions WHERE id = ? AND status = ?",
                [(i, STAGING_STATUS) for i in unused],
            )
            for session_id in staged.values():
                store.disown_session(session_id)
        staged.clear()
    finally:
        _drop_staged(store, list(staged.values()))
    return outcomes


def import_files(
    store: Store,
    paths: Sequence[Path],
    *,
    kind: SessionKind = DEFAULT_KIND,
    at: datetime | None = None,
) -> list[ImportOutcome]:
    """Parse all files, then write them all in one transaction. Raises ImportFileError."""
    return write_all(store, read_all(paths), kind=kind, at=at)
