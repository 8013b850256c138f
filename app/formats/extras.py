"""The user's own inputs beyond sessions and the log, carried by the JSON export (schema 2 on):
moments of ease, weekly check-ins, and a readiness session's extras (posture, stand-up time).

Cached analyses (readiness results, recovery episodes) are not exported: the app recomputes them.
Each table is a column list with the JSON type of each column; rows travel as plain dicts.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.formats.errors import FormatError

# column -> accepted JSON types (None always allowed unless the column is required)
MOMENTS: dict[str, tuple[type, ...]] = {"date": (str,), "position": (int,), "text": (str,)}
MOMENTS_REQUIRED = ("date", "position", "text")
CHECKINS: dict[str, tuple[type, ...]] = {
    "week_start": (str,),
    "answered_on": (str,),
    "steadier_score": (int,),
    "steadier_note": (str,),
    "recovery_score": (int,),
    "recovery_note": (str,),
    "updated_at": (str,),
}
CHECKINS_REQUIRED = ("week_start", "answered_on", "updated_at")
READINESS: dict[str, tuple[type, ...]] = {
    "posture": (str,),
    "stand_up_s": (int, float),
    "hr_rise_peak_bpm": (int, float),
    "hr_rise_mean_bpm": (int, float),
}


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def read_rows(
    conn: sqlite3.Connection, table: str, columns: dict[str, tuple[type, ...]], order: str
) -> list[dict[str, Any]]:
    """All rows of `table` as dicts (empty when the table does not exist)."""
    if not table_exists(conn, table):
        return []
    names = ", ".join(columns)
    return [
        dict(zip(columns, row, strict=True))
        for row in conn.execute(f"SELECT {names} FROM {table} ORDER BY {order}")
    ]


def readiness_extras(conn: sqlite3.Connection, session_id: int) -> dict[str, Any] | None:
    if not table_exists(conn, "readiness"):
        return None
    names = ", ".join(READINESS)
    row = conn.execute(
        f"SELECT {names} FROM readiness WHERE session_id = ?", (session_id,)
    ).fetchone()
    if row is None:
        return None
    return dict(zip(READINESS, row, strict=True))


def checked_row(
    obj: Any, columns: dict[str, tuple[type, ...]], required: tuple[str, ...], what: str
) -> tuple[tuple[str, Any], ...]:
    """Validate one JSON object against a column spec; returns (column, value) pairs."""
    if not isinstance(obj, dict):
        raise FormatError(f"{what} is not an object")
    out: list[tuple[str, Any]] = []
    for name, kinds in columns.items():
        value = obj.get(name)
        if value is None:
            if name in required:
                raise FormatError(f"{what} without {name!r}")
        elif isinstance(value, bool) or not isinstance(value, kinds):
            raise FormatError(f"{what}: {name!r} has the wrong type")
        elif isinstance(value, float) and value != value:  # NaN
            raise FormatError(f"{what}: {name!r} is not a number")
        out.append((name, value))
    return tuple(out)


def checked_rows(
    document: dict[str, Any],
    key: str,
    columns: dict[str, tuple[type, ...]],
    required: tuple[str, ...],
) -> tuple[tuple[tuple[str, Any], ...], ...]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise FormatError(f"{key!r} is not a list")
    return tuple(checked_row(item, columns, required, f"an entry of {key!r}") for item in value)


def insert_row(conn: sqlite3.Connection, table: str, pairs: tuple[tuple[str, Any], ...]) -> None:
    names = ", ".join(name for name, _ in pairs)
    marks = ", ".join("?" for _ in pairs)
    conn.execute(
        f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(value for _, value in pairs)
    )
