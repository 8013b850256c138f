"""Which reader reads a file: detection from the content (the file name only helps Elite HRV).

Readers are tried in order; the first whose `sniff` accepts the file reads it. Plain RR text is
the last resort. `read_source`/`read_path` return an `Imported` value or raise FormatError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np

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
from app.formats.recording import (
    Imported,
    ImportedDailyValue,
    ImportedDailyValues,
    ImportedRecording,
)
from app.formats.source import HEAD_BYTES, Source
from app.formats.text import decode_text
from app.store.validation import (
    MIN_RECORDING_BEATS,
    RR_RANGE_MS,
    LimitError,
    check_day,
    check_moment,
    heart_rate_ok,
    rmssd_ok,
)


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


def head_text(source: Source) -> str | None:
    """The file's first 64 KiB as text (a character cut off at the end left out), or None."""
    try:
        return decode_text(source.head, partial=len(source.head) >= HEAD_BYTES)
    except FormatError:
        return None


def detect(source: Source) -> Reader:
    """The reader for this file. Raises FormatError when no format fits."""
    if source.is_empty:
        raise FormatError("the file is empty")
    head = head_text(source)
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
    return read_with(detect(source), source)


def read_with(reader: Reader, source: Source) -> Imported:
    """Read the file with this reader, held to the limits. Raises FormatError naming the format."""
    try:
        return within_limits(reader.read(source))
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


def within_limits(imported: Imported) -> Imported:
    """`imported` held to the limits of `app.store.validation`. Raises FormatError.

    Recordings from a file: at least 30 beats, each 200-3000 ms or flagged as an artifact, a start
    in 2000-01-01 .. now + 1 day (Baseline exports are checked field by field when read). Daily
    values: dates in that range; an RMSSD outside 1-500 ms or a heart rate outside 20-250 bpm is
    not a value and is left out, and a day left empty is dropped.
    """
    if isinstance(imported, ImportedRecording):
        _check_recording(imported)
        return imported
    if isinstance(imported, ImportedDailyValues):
        return _checked_days(imported)
    return imported


def _check_recording(recording: ImportedRecording) -> None:
    lo, hi = RR_RANGE_MS
    rr = recording.rr_ms
    beats = ~recording.artifact & np.isfinite(rr) & (rr >= lo) & (rr <= hi)
    outside = np.flatnonzero(~recording.artifact & ~beats)
    if outside.size:
        i = int(outside[0])
        raise FormatError(f"rr_ms {float(rr[i]):g} is outside {lo:g}-{hi:g} ms (beat {i + 1})")
    if recording.n_beats < MIN_RECORDING_BEATS:
        raise FormatError(
            f"only {recording.n_beats} beats; a recording needs at least {MIN_RECORDING_BEATS}"
        )
    if recording.started_at is not None:
        try:
            check_moment("start", recording.started_at, now=datetime.now().astimezone())
        except LimitError as exc:
            raise FormatError(str(exc)) from exc
    if not all(heart_rate_ok(r.bpm) for r in recording.heart_rate):
        raise FormatError("a heart-rate reading is outside 20-250 bpm")


def _checked_days(values: ImportedDailyValues) -> ImportedDailyValues:
    today = date.today()
    days: list[ImportedDailyValue] = []
    for day in values.days:
        try:
            check_day("date", day.date, today=today)
        except LimitError as exc:
            raise FormatError(str(exc)) from exc
        kept = ImportedDailyValue(
            date=day.date,
            rmssd_ms=day.rmssd_ms if day.rmssd_ms is not None and rmssd_ok(day.rmssd_ms) else None,
            resting_hr_bpm=(
                day.resting_hr_bpm
                if day.resting_hr_bpm is not None and heart_rate_ok(day.resting_hr_bpm)
                else None
            ),
            sdnn_ms=day.sdnn_ms,
        )
        if kept.rmssd_ms is not None or kept.resting_hr_bpm is not None or kept.sdnn_ms is not None:
            days.append(kept)
    if not days:
        raise FormatError("no daily values within 1-500 ms RMSSD or 20-250 bpm heart rate")
    return replace(values, days=tuple(days))
