"""HRV Logger (iOS/Android) RR CSV: header `timestamp, rr, since_start `, maybe a blank line,
then `unix_ms,rr_ms,cumulative_ms` rows.

`timestamp` is when the phone received the beat (it comes in bursts); `since_start` is the beat
time and need not start at 0. A jump in `since_start` larger than the interval is a gap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import ImportedRecording, make_recording
from app.formats.source import Source
from app.formats.text import column_index, filled_lines, parse_number, split_row

FORMAT = "hrv-logger-rr"


def sniff(source: Source, head: str | None) -> bool:
    if head is None:
        return False
    header = split_row(head.lstrip().split("\n", 1)[0], ",")
    return (
        column_index(header, "timestamp") is not None
        and column_index(header, "rr") is not None
        and column_index(header, "since_start") is not None
    )


def read(source: Source) -> ImportedRecording:
    lines = filled_lines(source.text())
    header = split_row(lines[0], ",")
    stamp_col = column_index(header, "timestamp")
    rr_col = column_index(header, "rr")
    since_col = column_index(header, "since_start")
    if stamp_col is None or rr_col is None or since_col is None:
        raise FormatError("header is not 'timestamp, rr, since_start'")
    stamps: list[float] = []
    rr: list[float] = []
    since: list[float] = []
    for line in lines[1:]:
        cells = split_row(line, ",")
        if len(cells) <= max(stamp_col, rr_col, since_col):
            raise FormatError(f"short row {line[:40]!r}")
        stamps.append(parse_number(cells[stamp_col]))
        rr.append(parse_number(cells[rr_col]))
        since.append(parse_number(cells[since_col]))
    if not rr:
        raise FormatError("no rows after the header")
    started = None
    try:
        # The origin of `since_start` in wall-clock time: the first beat's arrival minus its time.
        started = datetime.fromtimestamp(stamps[0] / 1000.0, tz=UTC) - timedelta(
            milliseconds=since[0]
        )
    except (OverflowError, OSError, ValueError):
        started = None
    return make_recording(
        format_name=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started,
        rr_ms=np.array(rr),
        t_ms=np.array(since),
    )
