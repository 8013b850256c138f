"""Polar HRM files (Polar ProTrainer / Precision Performance) in R-R mode.

INI-like sections; `[Params]` holds `Date=YYYYMMDD`, `StartTime=HH:MM:SS.f` (local time) and
`Interval=238` for R-R recordings; `[HRData]` has one row per beat, the RR interval in ms first.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import ImportedRecording, make_recording
from app.formats.source import Source
from app.formats.text import lines_of, parse_number

FORMAT = "polar-hrm"
_RR_MODE_INTERVAL = "238"


def sniff(source: Source, head: str | None) -> bool:
    return head is not None and head.lstrip().startswith("[Params]") and "[HRData]" in source.text()


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines_of(text):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = sections.setdefault(stripped[1:-1].strip(), [])
        elif current is not None:
            current.append(stripped)
    return sections


def _start(params: dict[str, str]) -> datetime | None:
    day, clock = params.get("Date", ""), params.get("StartTime", "")
    try:
        start = datetime.strptime(day, "%Y%m%d")
        hms, _, fraction = clock.partition(".")
        hour, minute, second = (int(p) for p in hms.split(":"))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        return start.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    except ValueError:
        return None


def read(source: Source) -> ImportedRecording:
    sections = _sections(source.text())
    params = dict(
        (key.strip(), value.strip())
        for key, sep, value in (line.partition("=") for line in sections.get("Params", []))
        if sep
    )
    if params.get("Interval") != _RR_MODE_INTERVAL:
        raise FormatError(
            f"Polar HRM file is not in R-R mode (Interval={params.get('Interval', '?')})"
        )
    rows = [line for line in sections.get("HRData", []) if line]
    if not rows:
        raise FormatError("Polar HRM file has no [HRData] rows")
    rr = np.array([parse_number(row.split()[0]) for row in rows])
    start = _start(params)
    return make_recording(
        format_name=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=start.astimezone() if start is not None else None,
        rr_ms=rr,
    )
