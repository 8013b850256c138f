"""Empatica E4 `IBI.csv`: first line `<unix start time>, IBI`, then `offset_s,ibi_s` rows.

Offsets count seconds from the start; where the wristband dropped beats, the offset jumps by
more than the interval, which marks a gap.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import ImportedRecording, make_recording, seconds_to_ms
from app.formats.source import Source
from app.formats.text import filled_lines, parse_number, split_row

FORMAT = "empatica-ibi"
_FIRST_LINE = re.compile(r"^\s*(\d{9,10}(?:\.\d*)?)\s*,\s*IBI\s*$", re.IGNORECASE)


def sniff(source: Source, head: str | None) -> bool:
    return head is not None and bool(_FIRST_LINE.match(head.lstrip().split("\n", 1)[0]))


def read(source: Source) -> ImportedRecording:
    lines = filled_lines(source.text())
    match = _FIRST_LINE.match(lines[0])
    if match is None:
        raise FormatError("first line is not '<start time>, IBI'")
    try:
        started = datetime.fromtimestamp(float(match[1]), tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise FormatError("start time out of range") from exc
    offsets_s: list[float] = []
    ibi_s: list[float] = []
    for line in lines[1:]:
        cells = split_row(line, ",")
        if len(cells) != 2:
            raise FormatError(f"row {line[:40]!r} does not have two columns")
        offsets_s.append(parse_number(cells[0]))
        ibi_s.append(parse_number(cells[1]))
    if not ibi_s:
        raise FormatError("no intervals after the header line")
    return make_recording(
        format_name=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started,
        rr_ms=seconds_to_ms(np.array(ibi_s)),
        t_ms=seconds_to_ms(np.array(offsets_s)),
    )
