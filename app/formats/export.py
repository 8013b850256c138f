"""Exports of the store: Baseline JSON, a CSV folder, and Kubios-compatible RR text.

JSON (`format: baseline-export`, version 1) holds every session (not the soft-deleted ones) with
its beats, heart-rate readings and marks, and the daily log; reading it back with
`app.formats.baseline_json` into an empty database reproduces them exactly.
CSV: a folder with `sessions.csv`, `beats.csv`, `heart_rate.csv`, `marks.csv`, `log.csv`,
`moments_of_ease.csv` and `weekly_checkins.csv`.
Kubios: one session's beats as `time_s<TAB>rr_s` lines (Kubios "time RR" ASCII); where beats were
dropped the time column jumps, so the gap survives.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from app.formats import extras
from app.formats.baseline_json import FORMAT, VERSION
from app.store import Store
from app.store.records import SessionRecord

CSV_FILES = (
    "sessions.csv",
    "beats.csv",
    "heart_rate.csv",
    "marks.csv",
    "log.csv",
    "moments_of_ease.csv",
    "weekly_checkins.csv",
)
_LOG_COLUMNS = ("date", "rmssd_ms", "resting_hr_bpm", "sleep", "stress", "mood", "note")


def _iso(moment: Any) -> str | None:
    return None if moment is None else str(moment.isoformat(timespec="milliseconds"))


def _log_columns(conn: sqlite3.Connection) -> tuple[str, ...]:
    present = {row[1] for row in conn.execute("PRAGMA table_info(daily_log)")}
    optional = ("sdnn_ms", "value_source")  # schema 3 and 4: kept when the store has them
    return _LOG_COLUMNS + tuple(c for c in optional if c in present)


def log_rows(store: Store) -> list[dict[str, Any]]:
    """The daily log, oldest first, as dicts (with `sdnn_ms` when the store has it)."""
    columns = _log_columns(store.conn)
    return [
        dict(zip(columns, row, strict=True))
        for row in store.conn.execute(f"SELECT {', '.join(columns)} FROM daily_log ORDER BY date")
    ]


def sessions_oldest_first(store: Store) -> list[SessionRecord]:
    return sorted(store.sessions(), key=lambda s: (s.started_at, s.id))


def session_dict(store: Store, session: SessionRecord) -> dict[str, Any]:
    """One session as in the JSON export."""
    sensor = (
        None
        if session.sensor_name is None and session.sensor_address is None
        else {"name": session.sensor_name, "address": session.sensor_address}
    )
    return {
        "id": session.id,
        "kind": session.kind,
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.ended_at),
        "status": session.status,
        "sensor": sensor,
        "simulated": session.simulated,
        "rate_bpm": session.rate_bpm,
        "pattern_json": session.pattern_json,
        "duration_s": session.duration_s,
        "stress_before": session.stress_before,
        "stress_after": session.stress_after,
        "note": session.note,
        "source_hash": session.source_hash,
        "beats": [
            {"t_ms": b.t_ms, "rr_ms": b.rr_ms, "artifact": b.artifact, "gap_before": b.gap_before}
            for b in store.beats(session.id)
        ],
        "heart_rate": [
            {"t_ms": r.t_ms, "bpm": r.bpm, "contact": r.contact}
            for r in store.heart_rate(session.id)
        ],
        "marks": [
            {"t_ms": m.t_ms, "kind": m.kind, "detail": m.detail} for m in store.marks(session.id)
        ],
        "readiness": extras.readiness_extras(store.conn, session.id),
    }


def export_document(store: Store) -> dict[str, Any]:
    """The whole JSON export as a dict."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "sessions": [session_dict(store, s) for s in sessions_oldest_first(store)],
        "log": log_rows(store),
        "moments_of_ease": extras.read_rows(
            store.conn, "moments_of_ease", extras.MOMENTS, "date, position"
        ),
        "weekly_checkins": extras.read_rows(
            store.conn, "weekly_checkins", extras.CHECKINS, "week_start"
        ),
    }


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def export_json(store: Store, out: Path) -> int:
    """Write the JSON export to `out`; returns the number of sessions."""
    document = export_document(store)
    _write_atomically(out, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return len(document["sessions"])


def _csv_text(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (int(v) if isinstance(v, bool) else v) for v in row])
    return buffer.getvalue()


def export_csv(store: Store, folder: Path) -> int:
    """Write the CSV folder; returns the number of sessions."""
    sessions = sessions_oldest_first(store)
    folder.mkdir(parents=True, exist_ok=True)
    session_rows: list[tuple[Any, ...]] = []
    beat_rows: list[tuple[Any, ...]] = []
    hr_rows: list[tuple[Any, ...]] = []
    mark_rows: list[tuple[Any, ...]] = []
    for s in sessions:
        session_rows.append(
            (
                s.id,
                s.kind,
                _iso(s.started_at),
                _iso(s.ended_at),
                s.status,
                s.sensor_name,
                s.sensor_address,
                s.rate_bpm,
                s.duration_s,
                s.stress_before,
                s.stress_after,
                s.note,
                s.source_hash,
                s.simulated,
            )
        )
        beat_rows.extend(
            (s.id, seq, b.t_ms, b.rr_ms, b.artifact, b.gap_before)
            for seq, b in enumerate(store.beats(s.id))
        )
        hr_rows.extend((s.id, r.t_ms, r.bpm, r.contact) for r in store.heart_rate(s.id))
        mark_rows.extend((s.id, m.t_ms, m.kind, m.detail) for m in store.marks(s.id))
    log_columns = _log_columns(store.conn)
    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {
        "sessions.csv": (
            (
                "id",
                "kind",
                "started_at",
                "ended_at",
                "status",
                "sensor_name",
                "sensor_address",
                "rate_bpm",
                "duration_s",
                "stress_before",
                "stress_after",
                "note",
                "source_hash",
                "simulated",
            ),
            session_rows,
        ),
        "beats.csv": (("session_id", "seq", "t_ms", "rr_ms", "artifact", "gap_before"), beat_rows),
        "heart_rate.csv": (("session_id", "t_ms", "bpm", "contact"), hr_rows),
        "marks.csv": (("session_id", "t_ms", "kind", "detail"), mark_rows),
        "log.csv": (log_columns, [tuple(r.values()) for r in log_rows(store)]),
        "moments_of_ease.csv": (
            tuple(extras.MOMENTS),
            [
                tuple(r.values())
                for r in extras.read_rows(store.conn, "moments_of_ease", extras.MOMENTS, "date")
            ],
        ),
        "weekly_checkins.csv": (
            tuple(extras.CHECKINS),
            [
                tuple(r.values())
                for r in extras.read_rows(
                    store.conn, "weekly_checkins", extras.CHECKINS, "week_start"
                )
            ],
        ),
    }
    for name, (header, rows) in tables.items():
        _write_atomically(folder / name, _csv_text(header, rows))
    return len(sessions)


def _seconds(value_ms: float) -> str:
    text = f"{value_ms / 1000.0:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def kubios_text(store: Store, session_id: int) -> str:
    """One session's beats as Kubios "time RR" text (seconds, tab separated)."""
    return "".join(f"{_seconds(b.t_ms)}\t{_seconds(b.rr_ms)}\n" for b in store.beats(session_id))


def export_kubios(store: Store, session_id: int, out: Path) -> int:
    """Write one session's RR text; returns the number of beats."""
    text = kubios_text(store, session_id)
    _write_atomically(out, text)
    return text.count("\n")
