"""Which reader reads a file: detection from the content (the file name only helps Elite HRV).

Readers are tried in order; the first whose `sniff` accepts the file reads it. Plain RR text is
the last resort. `read_source`/`read_path` return an `Imported` value or raise FormatError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.formats import (
    apple_health,
    baseline_json,
    daily_summary,
    empatica,
    garmin_fit,
    hrv_logger,
    kubios,
    plain_text,
    polar_hrm,
    polar_sensor_logger,
    selfloops,
    suunto_sml,
)
from app.formats.errors import FormatError
from app.formats.recording import Imported
from app.formats.source import Source


@dataclass(frozen=True, slots=True)
class Reader:
    """One file format: a cheap content test and the reader."""

    name: str
    sniff: Callable[[Source, str | None], bool]
    read: Callable[[Source], Imported]


READERS: tuple[Reader, ...] = (
    Reader("garmin-fit", garmin_fit.sniff, garmin_fit.read),
    Reader(baseline_json.FORMAT, baseline_json.sniff, baseline_json.read),
    Reader(apple_health.FORMAT, apple_health.sniff, apple_health.read),
    Reader(suunto_sml.FORMAT, suunto_sml.sniff, suunto_sml.read),
    Reader(polar_hrm.FORMAT, polar_hrm.sniff, polar_hrm.read),
    Reader("polar-sensor-logger", polar_sensor_logger.sniff, polar_sensor_logger.read),
    Reader(kubios.FORMAT_REPORT, kubios.sniff_report, kubios.read_report),
    Reader(empatica.FORMAT, empatica.sniff, empatica.read),
    Reader(hrv_logger.FORMAT, hrv_logger.sniff, hrv_logger.read),
    Reader(selfloops.FORMAT, selfloops.sniff, selfloops.read),
    Reader(
        daily_summary.FORMAT_ELITE_READINGS, daily_summary.sniff_elite, daily_summary.read_elite
    ),
    Reader(
        daily_summary.FORMAT_HRV4TRAINING,
        daily_summary.sniff_hrv4training,
        daily_summary.read_hrv4training,
    ),
    Reader(kubios.FORMAT_TIME_RR, kubios.sniff_time_rr, kubios.read_time_rr),
    Reader(plain_text.FORMAT_PLAIN, plain_text.sniff, plain_text.read),
)


def detect(source: Source) -> Reader:
    """The reader for this file. Raises FormatError when no format fits."""
    if source.is_empty:
        raise FormatError("the file is empty")
    head = source.head_text()
    for reader in READERS:
        try:
            accepted = reader.sniff(source, head)
        except FormatError:
            accepted = False
        if accepted:
            return reader
    raise FormatError("unknown format (binary data, not RR text or a known export)")


def read_source(source: Source) -> Imported:
    """Detect the format and read the file. Raises FormatError naming the format on failure."""
    reader = detect(source)
    try:
        return reader.read(source)
    except FormatError as exc:
        if reader.name == plain_text.FORMAT_PLAIN:
            raise FormatError(f"no known format; as plain RR text: {exc}") from exc
        raise FormatError(f"{reader.name}: {exc}") from exc
    except (ValueError, OverflowError) as exc:
        # Out-of-range dates and numbers deep inside a reader: still a bad file, said plainly.
        raise FormatError(f"{reader.name}: a value is out of range ({exc})") from exc


def read_path(path: Path) -> Imported:
    """Read one file (`.gz` too). Raises FormatError."""
    return read_source(Source.from_path(path))
