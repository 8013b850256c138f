"""Exports of the store: Baseline JSON, a CSV folder, and Kubios-compatible RR text.

JSON (`format: baseline-export`, version 2; stress on 1-5) holds every session (not the
soft-deleted ones) with its beats, heart-rate readings and marks, and the daily log; reading it
back with `app.formats.baseline_json` into an empty database reproduces them exactly.
CSV: a folder with `sessions.csv`, `beats.csv`, `heart_rate.csv`, `marks.csv`, `log.csv`,
`moments_of_ease.csv` and `weekly_checkins.csv`.
Kubios: one session's beats as `time_s<TAB>rr_s` lines (Kubios "time RR" ASCII); where beats were
dropped the time column jumps, so the gap survives.

Every file is written through `app.formats.atomic`: never over the database or another Baseline
database, never over an existing file unless `replace`, and never half written. The JSON export
is streamed one session at a time, so memory does not grow with the size of the database.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from app.formats import extras
from app.formats.atomic import (
    WriteRefusedError,
    atomic_text_write,
    check_not_database,
    check_target,
    database_files,
    remove_stale_partials,
)
from app.formats.baseline_format import FORMAT, VERSION
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


def _dump(value: Any, depth: int) -> str:
    """`value` as `json.dumps(..., indent=1)` would print it `depth` levels deep."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("\n", "\n" + " " * depth)  # JSON strings never hold a raw newline


def write_json_export(store: Store, handle: TextIO) -> int:
    """Write the JSON export to `handle` one session at a time; returns the number of sessions.

    The text is exactly `json.dumps(export_document(store), ensure_ascii=False, indent=1)` plus
    a newline, but only one session's beats are held in memory at a time.
    """
    sessions = sessions_oldest_first(store)
    handle.write("{\n")
    for key, value in (("format", FORMAT), ("version", VERSION)):
        handle.write(f" {_dump(key, 1)}: {_dump(value, 1)},\n")
    handle.write(f" {_dump('sessions', 1)}: ")
    if not sessions:
        handle.write("[]")
    else:
        handle.write("[\n")
        for i, session in enumerate(sessions):
            if i:
                handle.write(",\n")
            handle.write("  " + _dump(session_dict(store, session), 2))
        handle.write("\n ]")
    tail = (
        ("log", log_rows(store)),
        (
            "moments_of_ease",
            extras.read_rows(store.conn, "moments_of_ease", extras.MOMENTS, "date, position"),
        ),
        (
            "weekly_checkins",
            extras.read_rows(store.conn, "weekly_checkins", extras.CHECKINS, "week_start"),
        ),
    )
    for key, rows in tail:
        handle.write(f",\n {_dump(key, 1)}: {_dump(rows, 1)}")
    handle.write("\n}\n")
    return len(sessions)


def export_json(store: Store, out: Path, *, replace: bool = False) -> int:
    """Write the JSON export to `out` (atomically); returns the number of sessions.

    Raises WriteRefusedError for an existing file unless `replace`, and always for the database.
    """
    out = Path(out)
    protected = database_files(store.conn)
    check_target(out, replace=replace, protected=protected)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_write(out, replace=replace, protected=protected) as handle:
        return write_json_export(store, handle)


def _write_csv(
    path: Path,
    header: tuple[str, ...],
    rows: Iterable[Sequence[Any]],
    *,
    replace: bool,
    protected: tuple[Path, ...],
) -> None:
    with atomic_text_write(path, replace=replace, protected=protected) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                ["" if v is None else (int(v) if isinstance(v, bool) else v) for v in row]
            )


SESSION_COLUMNS = (
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
)


def _session_row(s: SessionRecord) -> tuple[Any, ...]:
    return (
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


def check_csv_folder(folder: Path, *, replace: bool, protected: Iterable[Path] = ()) -> None:
    """Raise WriteRefusedError when the CSV export must not write into `folder`."""
    folder = Path(folder)
    protected = tuple(protected)
    check_not_database(folder, protected)
    if os.path.lexists(folder) and not folder.is_dir():
        raise WriteRefusedError(f"{folder} exists and is not a folder")
    for name in CSV_FILES:
        check_target(folder / name, replace=replace, protected=protected)
    if folder.is_dir() and not replace:
        for name in CSV_FILES:
            remove_stale_partials(folder / name)
        if any(folder.iterdir()):
            raise WriteRefusedError(f"the folder {folder} is not empty", exists=True)


def export_csv(store: Store, folder: Path, *, replace: bool = False) -> int:
    """Write the CSV folder, each file atomically; returns the number of sessions.

    An existing non-empty folder needs `replace`; then only the export's own files are replaced.
    """
    folder = Path(folder)
    protected = database_files(store.conn)
    check_csv_folder(folder, replace=replace, protected=protected)
    sessions = sessions_oldest_first(store)
    folder.mkdir(parents=True, exist_ok=True)

    def beat_rows() -> Iterator[tuple[Any, ...]]:
        for s in sessions:
            for seq, b in enumerate(store.beats(s.id)):
                yield (s.id, seq, b.t_ms, b.rr_ms, b.artifact, b.gap_before)

    def hr_rows() -> Iterator[tuple[Any, ...]]:
        for s in sessions:
            for r in store.heart_rate(s.id):
                yield (s.id, r.t_ms, r.bpm, r.contact)

    def mark_rows() -> Iterator[tuple[Any, ...]]:
        for s in sessions:
            for m in store.marks(s.id):
                yield (s.id, m.t_ms, m.kind, m.detail)

    def dict_rows(rows: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        return (tuple(r.values()) for r in rows)

    tables: tuple[tuple[str, tuple[str, ...], Iterable[Sequence[Any]]], ...] = (
        ("sessions.csv", SESSION_COLUMNS, (_session_row(s) for s in sessions)),
        (
            "beats.csv",
            ("session_id", "seq", "t_ms", "rr_ms", "artifact", "gap_before"),
            beat_rows(),
        ),
        ("heart_rate.csv", ("session_id", "t_ms", "bpm", "contact"), hr_rows()),
        ("marks.csv", ("session_id", "t_ms", "kind", "detail"), mark_rows()),
        ("log.csv", _log_columns(store.conn), dict_rows(log_rows(store))),
        (
            "moments_of_ease.csv",
            tuple(extras.MOMENTS),
            dict_rows(extras.read_rows(store.conn, "moments_of_ease", extras.MOMENTS, "date")),
        ),
        (
            "weekly_checkins.csv",
            tuple(extras.CHECKINS),
            dict_rows(
                extras.read_rows(store.conn, "weekly_checkins", extras.CHECKINS, "week_start")
            ),
        ),
    )
    for name, header, rows in tables:
        _write_csv(folder / name, header, rows, replace=replace, protected=protected)
    return len(sessions)


def _seconds(value_ms: float) -> str:
    text = f"{value_ms / 1000.0:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def kubios_text(store: Store, session_id: int) -> str:
    """One session's beats as Kubios "time RR" text (seconds, tab separated)."""
    return "".join(f"{_seconds(b.t_ms)}\t{_seconds(b.rr_ms)}\n" for b in store.beats(session_id))


def export_kubios(store: Store, session_id: int, out: Path, *, replace: bool = False) -> int:
    """Write one session's RR text (atomically); returns the number of beats."""
    out = Path(out)
    protected = database_files(store.conn)
    check_target(out, replace=replace, protected=protected)
    text = kubios_text(store, session_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_write(out, replace=replace, protected=protected) as handle:
        handle.write(text)
    return text.count("\n")
