"""Polar Sensor Logger text files: RR (`RR-interval [ms]`) and PPI (`PP-interval [ms]`).

`;`-separated with a header row. The first column is the phone's arrival time (local, no offset),
which can go backwards; beat times come from the intervals. PPI rows carry `blocker` (1: the
interval is unreliable, e.g. movement) and two `contact` columns (skin contact, contact supported);
such rows are dropped and the next beat marked as following a gap. `hr [bpm]` readings of 0 mean
no value.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import (
    MAX_RR_MS,
    HeartRateReading,
    ImportedRecording,
    make_recording,
)
from app.formats.source import Source
from app.formats.text import column_index, filled_lines, optional_number, split_row

FORMAT_PPI = "polar-sensor-logger-ppi"
FORMAT_RR = "polar-sensor-logger-rr"


def sniff(source: Source, head: str | None) -> bool:
    if head is None:
        return False
    first = head.lstrip().split("\n", 1)[0].lower()
    return first.startswith("phone timestamp;") and (
        "pp-interval" in first or "rr-interval" in first
    )


def _flag(cells: list[str], index: int | None) -> float | None:
    if index is None or index >= len(cells):
        return None
    return optional_number(cells[index])


def read(source: Source) -> ImportedRecording:
    lines = filled_lines(source.text())
    header = split_row(lines[0], ";")
    lowered = [cell.lower() for cell in header]
    rr_col = next(
        (i for i, c in enumerate(lowered) if "pp-interval" in c or "rr-interval" in c), None
    )
    if rr_col is None:
        raise FormatError("no interval column in the Polar Sensor Logger header")
    is_ppi = "pp-interval" in lowered[rr_col]
    blocker_col = column_index(header, "blocker")
    # Skin contact status, then "contact supported" (same name in the common layout).
    contact_cols = [i for i, c in enumerate(lowered) if "contact" in c]
    hr_col = next((i for i, c in enumerate(lowered) if c.startswith("hr")), None)
    rr: list[float] = []
    valid: list[bool] = []
    hr_values: list[float | None] = []
    stamps: list[datetime | None] = []
    for line in lines[1:]:
        cells = split_row(line, ";")
        if len(cells) <= rr_col:
            raise FormatError(f"short row {line[:40]!r}")
        value = optional_number(cells[rr_col])
        try:
            stamps.append(datetime.fromisoformat(cells[0]))
        except ValueError:
            stamps.append(None)
        blocked = _flag(cells, blocker_col) == 1
        contact = _flag(cells, contact_cols[0]) if contact_cols else None
        supported = _flag(cells, contact_cols[1]) if len(contact_cols) > 1 else 1.0
        no_contact = contact == 0 and supported != 0
        rr.append(float("nan") if value is None else value)
        valid.append(not (blocked or no_contact))
        hr_values.append(_flag(cells, hr_col))
    if not rr:
        raise FormatError("no data rows")
    rr_ms = np.array(rr)
    beat_end_ms = np.cumsum(np.where(np.isfinite(rr_ms) & (rr_ms > 0), rr_ms, 0.0))
    readings = tuple(
        HeartRateReading(t_ms=float(t), bpm=round(bpm))
        for t, bpm in zip(beat_end_ms, hr_values, strict=True)
        if bpm is not None and 20 <= bpm <= 250
    )
    # Time 0 from the phone's clock at the first usable beat (later stamps drift and go back).
    usable = np.flatnonzero(np.array(valid) & (rr_ms > 0) & (rr_ms <= MAX_RR_MS))
    started: datetime | None = None
    if usable.size:
        anchor = stamps[int(usable[0])]
        if anchor is not None:
            started = anchor - timedelta(milliseconds=float(beat_end_ms[int(usable[0])]))
    return make_recording(
        format_name=FORMAT_PPI if is_ppi else FORMAT_RR,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started,
        rr_ms=rr_ms,
        valid=np.array(valid),
        heart_rate=readings,
    )
