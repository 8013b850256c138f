"""SelfLoops HRV text export: a first line with the date in English words, then a CSV table
`Time (ms),HR (bpm),R-R (ms)` (beat time from the start, heart rate, interval). Rows with an empty
or zero interval are dropped slots.
"""

from __future__ import annotations

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import HeartRateReading, ImportedRecording, make_recording
from app.formats.source import Source
from app.formats.text import (
    column_index,
    guess_delimiter,
    lines_of,
    optional_number,
    parse_loose_datetime,
    split_row,
)

FORMAT = "selfloops"


def _header_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines[:6]):
        lowered = line.lower().replace(" ", "")
        if lowered.startswith("time(ms)") and "r-r(ms)" in lowered:
            return i
    return None


def sniff(source: Source, head: str | None) -> bool:
    return head is not None and _header_index(lines_of(head)) is not None


def read(source: Source) -> ImportedRecording:
    lines = lines_of(source.text())
    at = _header_index(lines)
    if at is None:
        raise FormatError("no 'Time (ms),HR (bpm),R-R (ms)' header")
    delimiter = guess_delimiter(lines[at])
    header = split_row(lines[at], delimiter)
    time_col = column_index(header, "Time (ms)")
    hr_col = column_index(header, "HR (bpm)")
    rr_col = column_index(header, "R-R (ms)", "RR (ms)")
    if time_col is None or rr_col is None:
        raise FormatError("SelfLoops header without time or R-R column")
    started = None
    for line in lines[:at]:
        if line.strip():
            started = parse_loose_datetime(line, day_first=False)
            break
    times: list[float] = []
    rr: list[float] = []
    hr: list[float | None] = []
    for line in lines[at + 1 :]:
        if not line.strip():
            continue
        cells = split_row(line, delimiter)
        if len(cells) <= max(time_col, rr_col):
            raise FormatError(f"short row {line[:40]!r}")
        t = optional_number(cells[time_col])
        value = optional_number(cells[rr_col])
        times.append(float("nan") if t is None else t)
        rr.append(float("nan") if value is None else value)
        hr.append(optional_number(cells[hr_col]) if hr_col is not None else None)
    readings = tuple(
        HeartRateReading(t_ms=t, bpm=round(bpm))
        for t, bpm in zip(times, hr, strict=True)
        if bpm is not None and 20 <= bpm <= 250 and np.isfinite(t)
    )
    return make_recording(
        format_name=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started,
        rr_ms=np.array(rr),
        t_ms=np.array(times),
        heart_rate=readings,
    )
