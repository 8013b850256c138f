"""Plain RR text and the Elite HRV raw export, through the shared plain-text parser.

Plain RR: numbers in ms or s, one per line or space-separated on one line (`app.formats.plain`);
one value per line with a decimal comma (`0,812`) is read as a decimal number.
Elite HRV raw export: the same (one integer ms value per line, maybe no final newline), with the
start time only in the file name, `YYYY-MM-DD HH-MM-SS.txt` (local time).
Zero or over-long values are dropped and mark a gap.
"""

from __future__ import annotations

import re
from datetime import datetime

from app.formats.errors import FormatError
from app.formats.plain import parse_plain_rr
from app.formats.recording import ImportedRecording, make_recording
from app.formats.source import Source

FORMAT_PLAIN = "plain-rr"
FORMAT_ELITE_RAW = "elite-hrv-raw"
_COMMA_NUMBER = re.compile(r"^\d+,\d+$")
_ELITE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2})-(\d{2})-(\d{2})(?: \(\d+\))?\.txt$")


def start_from_elite_name(name: str) -> datetime | None:
    """The local start time in an Elite HRV raw export's file name, or None."""
    match = _ELITE_NAME.match(name)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        return datetime(year, month, day, hour, minute, second).astimezone()
    except ValueError:
        return None


def _integer_per_line(text: str) -> bool:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return len(lines) > 1 and all(line.isdigit() for line in lines)


def _decimal_comma_per_line(text: str) -> bool:
    """One value per line written with a decimal comma (`0,812`), as localized exports do."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return bool(lines) and all(_COMMA_NUMBER.match(line) for line in lines)


def sniff(source: Source, head: str | None) -> bool:
    return head is not None


def read(source: Source) -> ImportedRecording:
    text = source.text()
    if _decimal_comma_per_line(text):
        text = text.replace(",", ".")
    try:
        rr = parse_plain_rr(text)
    except FormatError:
        raise
    except ValueError as exc:
        raise FormatError(str(exc)) from exc
    started = start_from_elite_name(source.name)
    elite = started is not None and _integer_per_line(text)
    return make_recording(
        format_name=FORMAT_ELITE_RAW if elite else FORMAT_PLAIN,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started if elite else None,
        rr_ms=rr,
    )
