"""Store access for History: each session with its figures (heart rate, HRV, coherence).

A session's figures are computed from its stored beats (`app.session.figures`) and cached in the
`session_figures` table with the version of the analysis that made them; a row made by another
version counts as missing, so a new method recomputes. `history` is what the History page reads:
kept sessions, newest first, optionally of one kind, each with its cached figures (or None) and
its number of stored beats, in one query.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.database import _SESSION_COLUMNS, STAGING_STATUS, Store, _session_from_row
from app.store.records import SessionKind, SessionRecord


@dataclass(frozen=True, slots=True)
class SessionFigures:
    """A session's whole-length figures; None where the session has none (too few beats, no
    pacer for coherence)."""

    mean_hr_bpm: float | None
    rmssd_ms: float | None
    coherence: float | None


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One session as History lists it."""

    record: SessionRecord
    n_beats: int
    figures: SessionFigures | None


def _prefixed(columns: str, table: str) -> str:
    return ", ".join(f"{table}.{c.strip()}" for c in columns.split(","))


def history(
    store: Store, *, analyzed_with: str, kind: SessionKind | None = None
) -> list[HistoryRow]:
    """Kept sessions newest first (one `kind`, or all), with figures made by `analyzed_with`."""
    sql = (
        f"SELECT {_prefixed(_SESSION_COLUMNS, 's')},"
        " (SELECT count(*) FROM beats AS b WHERE b.session_id = s.id),"
        " f.mean_hr_bpm, f.rmssd_ms, f.coherence, f.analyzed_with"
        " FROM sessions AS s LEFT JOIN session_figures AS f ON f.session_id = s.id"
        " WHERE s.deleted_at IS NULL AND s.status != ?"
    )
    args: list[object] = [STAGING_STATUS]
    if kind is not None:
        sql += " AND s.kind = ?"
        args.append(str(kind))
    sql += " ORDER BY s.started_at DESC, s.id DESC"
    rows: list[HistoryRow] = []
    n_columns = len(_SESSION_COLUMNS.split(","))
    for row in store.conn.execute(sql, args):
        record = _session_from_row(row[:n_columns])
        if record is None:
            continue
        n_beats, hr, rmssd, coherence, version = row[n_columns:]
        figures = SessionFigures(hr, rmssd, coherence) if version == analyzed_with else None
        rows.append(HistoryRow(record, int(n_beats), figures))
    return rows


def save_figures(
    store: Store, session_id: int, figures: SessionFigures, *, analyzed_with: str
) -> None:
    """Cache a session's figures (replacing older ones)."""
    with store.write_transaction() as conn:
        if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
            return  # purged meanwhile
        conn.execute(
            "INSERT OR REPLACE INTO session_figures"
            " (session_id, mean_hr_bpm, rmssd_ms, coherence, analyzed_with)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                session_id,
                figures.mean_hr_bpm,
                figures.rmssd_ms,
                figures.coherence,
                analyzed_with,
            ),
        )
