"""Apple Health `export.xml`: HRV (SDNN) and resting heart-rate records -> daily values.

Apple's HRV is SDNN (`HKQuantityTypeIdentifierHeartRateVariabilitySDNN`, ms), kept as SDNN and
never reported as RMSSD. Resting HR is `HKQuantityTypeIdentifierRestingHeartRate` (count/min).
The day is the date of `startDate` as written (the phone's local date); several readings in a day
are averaged. The file is parsed as a stream (iterparse), elements freed as they pass, so exports
of hundreds of MB do not build a tree in memory. Times can be locale-formatted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib
from collections import defaultdict
from datetime import date
from typing import BinaryIO

from app.formats.errors import FormatError
from app.formats.recording import ImportedDailyValue, ImportedDailyValues
from app.formats.source import Source
from app.formats.text import find_date, numeric_date_fields, optional_number

FORMAT = "apple-health"
SDNN_TYPE = "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"
RESTING_HR_TYPE = "HKQuantityTypeIdentifierRestingHeartRate"


def sniff(source: Source, head: str | None) -> bool:
    return head is not None and head.lstrip().startswith("<") and "<HealthData" in head


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def read(source: Source) -> ImportedDailyValues:
    sdnn: dict[str, list[float]] = defaultdict(list)
    resting: dict[str, list[float]] = defaultdict(list)
    dates_seen: list[str] = []
    seen_root: list[bool] = []
    try:
        with source.stream() as handle:
            _scan(handle, sdnn, resting, dates_seen, seen_root)
    except ET.ParseError as exc:
        raise FormatError(f"broken XML ({exc})") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatError(f"cannot read the file ({exc})") from exc
    if not seen_root:
        raise FormatError("not an Apple Health export (no <HealthData>)")
    return _daily_values(source, sdnn, resting, dates_seen)


def _scan(
    handle: BinaryIO,
    sdnn: dict[str, list[float]],
    resting: dict[str, list[float]],
    dates_seen: list[str],
    seen_root: list[bool],
) -> None:
    """Collect SDNN and resting-HR values by their start-date text, freeing elements as we go."""
    root: ET.Element | None = None
    depth = 0
    for event, element in ET.iterparse(handle, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth == 1:
                root = element
                if element.tag == "HealthData":
                    seen_root.append(True)
            continue
        depth -= 1
        if element.tag == "Record":
            kind = element.get("type")
            target = sdnn if kind == SDNN_TYPE else resting if kind == RESTING_HR_TYPE else None
            if target is not None:
                when = (element.get("startDate") or element.get("creationDate") or "").strip()
                value = optional_number(element.get("value") or "")
                if when and value is not None and value > 0:
                    target[when].append(value)
                    dates_seen.append(when)
        if depth == 1 and root is not None:
            root.clear()  # a finished top-level element: drop it and everything in it


def _daily_values(
    source: Source,
    sdnn: dict[str, list[float]],
    resting: dict[str, list[float]],
    dates_seen: list[str],
) -> ImportedDailyValues:
    day_first = not any(
        (fields := numeric_date_fields(when)) is not None and fields[1] > 12 for when in dates_seen
    )
    by_day_sdnn: dict[date, list[float]] = defaultdict(list)
    by_day_hr: dict[date, list[float]] = defaultdict(list)
    for source_map, target_map in ((sdnn, by_day_sdnn), (resting, by_day_hr)):
        for when, values in source_map.items():
            day = find_date(when, day_first=day_first)
            if day is None:
                raise FormatError(f"unreadable date {when[:30]!r}")
            target_map[day].extend(values)
    days = sorted(set(by_day_sdnn) | set(by_day_hr))
    if not days:
        raise FormatError("no HRV (SDNN) or resting heart-rate records")
    return ImportedDailyValues(
        format=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        days=tuple(
            ImportedDailyValue(
                date=day,
                sdnn_ms=_mean(by_day_sdnn.get(day, [])),
                resting_hr_bpm=_mean(by_day_hr.get(day, [])),
            )
            for day in days
        ),
    )
