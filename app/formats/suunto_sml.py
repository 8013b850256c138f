"""Suunto SML (and Movescount XML) files: `<R-R><Data>` holds the intervals in ms as one
space-separated line; zero or over-long values mark beats the watch did not record (gaps).
The start is `<Header><DateTime>` (local time unless it carries an offset).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import ImportedRecording, make_recording
from app.formats.source import Source
from app.formats.text import parse_number

FORMAT = "suunto-sml"


def sniff(source: Source, head: str | None) -> bool:
    return (
        head is not None and head.lstrip().startswith("<") and ("<sml" in head or "<R-R>" in head)
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read(source: Source) -> ImportedRecording:
    try:
        root = ET.fromstring(source.data)
    except ET.ParseError as exc:
        raise FormatError(f"broken XML ({exc})") from exc
    rr_text: str | None = None
    started: datetime | None = None
    for element in root.iter():
        name = _local(element.tag) if isinstance(element.tag, str) else ""
        if name == "R-R" and rr_text is None:
            data = next((c for c in element if _local(c.tag) == "Data"), None)
            rr_text = (data.text if data is not None else element.text) or ""
        elif name == "DateTime" and started is None and element.text:
            try:
                started = datetime.fromisoformat(element.text.strip())
            except ValueError:
                started = None
    if rr_text is None:
        raise FormatError("no <R-R> data in the XML")
    tokens = rr_text.split()
    if not tokens:
        raise FormatError("<R-R> data is empty")
    rr = np.array([parse_number(t) for t in tokens])
    return make_recording(
        format_name=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started,
        rr_ms=rr,
    )
