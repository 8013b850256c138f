"""Kubios HRV: the results report (`.txt`/`.csv`) and the two-column "time RR" text.

The report (Kubios HRV Standard/Premium) starts with `HRV ANALYSIS RESULTS` / `Kubios HRV` and has,
after `RR INTERVAL DATA`, a block of comma-separated rows whose second and third cells are the beat
time and the RR interval in seconds (a leading empty cell, trailing commas, spectrum columns to the
right). Its `Measurement date` is often masked (`xx/xx/xx`): then there is no start time.

The "time RR" text (Kubios ASCII type 2) has one `time rr` pair per line, both in seconds (ms when
the values are large), space or tab separated.
"""

from __future__ import annotations

import re

import numpy as np

from app.formats.errors import FormatError
from app.formats.recording import ImportedRecording, make_recording, seconds_to_ms
from app.formats.source import HEAD_BYTES, Source
from app.formats.text import lines_of, parse_loose_datetime, parse_number

FORMAT_REPORT = "kubios-report"
FORMAT_TIME_RR = "kubios-time-rr"
_RR_SECTION = "RR INTERVAL DATA"
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def sniff_report(source: Source, head: str | None) -> bool:
    return head is not None and "kubios hrv" in head[:400].lower()


def read_report(source: Source) -> ImportedRecording:
    lines = lines_of(source.text())
    start_line = next((i for i, line in enumerate(lines) if line.startswith(_RR_SECTION)), None)
    if start_line is None:
        raise FormatError("Kubios report without RR interval data")
    times_s: list[float] = []
    rr_s: list[float] = []
    for line in lines[start_line + 1 :]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 3:
            if times_s:
                break
            continue
        if _NUMBER.match(cells[1]) and _NUMBER.match(cells[2]):
            times_s.append(parse_number(cells[1]))
            rr_s.append(parse_number(cells[2]))
        elif times_s:
            break
    if not rr_s:
        raise FormatError("Kubios report has an empty RR interval table")
    started = None
    for line in lines[:40]:
        if line.lower().startswith("measurement date:"):
            started = parse_loose_datetime(line.split(":", 1)[1])
    return make_recording(
        format_name=FORMAT_REPORT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=started,
        rr_ms=seconds_to_ms(np.array(rr_s)),
        t_ms=seconds_to_ms(np.array(times_s)),
    )


def _pairs(text: str) -> list[tuple[float, float]] | None:
    pairs: list[tuple[float, float]] = []
    for line in lines_of(text):
        cells = line.split()
        if not cells:
            continue
        if len(cells) != 2 or not all(_NUMBER.match(c) for c in cells):
            return None
        pairs.append((float(cells[0].replace(",", ".")), float(cells[1].replace(",", "."))))
    return pairs


def sniff_time_rr(source: Source, head: str | None) -> bool:
    if head is None:
        return False
    # When the head is only part of the file, leave out its possibly cut last line.
    pairs = _pairs(head.rsplit("\n", 1)[0] if len(source.head) >= HEAD_BYTES else head)
    if not pairs or len(pairs) < 2:
        return False
    times = np.array([p[0] for p in pairs])
    rr = np.array([p[1] for p in pairs])
    steps = np.diff(times)
    # Beat times: increasing, and mostly one interval apart.
    return bool(np.all(steps > 0) and np.median(np.abs(steps - rr[1:])) <= 0.05 * np.median(rr))


def read_time_rr(source: Source) -> ImportedRecording:
    pairs = _pairs(source.text())
    if not pairs:
        raise FormatError("not two numeric columns 'time rr'")
    times = np.array([p[0] for p in pairs])
    rr = np.array([p[1] for p in pairs])
    if np.median(rr) < 10.0:
        rr, times = seconds_to_ms(rr), seconds_to_ms(times)
    return make_recording(
        format_name=FORMAT_TIME_RR,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=None,
        rr_ms=rr,
        t_ms=times,
    )
