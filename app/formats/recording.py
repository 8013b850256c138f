"""What an importer returns: immutable recordings, daily summary values and whole archives.

Readers never touch the store; `app.formats.importer` writes what they return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from app.formats.errors import FormatError
from app.store.records import MarkRecord
from app.store.validation import (
    MIN_RECORDING_BEATS,
    RR_RANGE_MS,
    LimitError,
    check_moment,
    heart_rate_ok,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Shortest and longest RR interval taken as a beat; other values are dropped (a gap), and the
# time of a longer one passed without beats.
MIN_RR_MS, MAX_RR_MS = RR_RANGE_MS
# No recording is longer than this (a week).
MAX_SPAN_MS = 7 * 24 * 3600 * 1000.0
# A beat time later than the previous beat plus its interval by more than this marks dropped beats.
GAP_TOLERANCE_MS = 150.0


def frozen_floats(values: npt.ArrayLike) -> FloatArray:
    """A read-only 1-D float64 copy of `values`."""
    array = np.array(values, dtype=np.float64).reshape(-1)
    array.setflags(write=False)
    return array


def frozen_bools(values: npt.ArrayLike) -> BoolArray:
    """A read-only 1-D bool copy of `values`."""
    array = np.array(values, dtype=np.bool_).reshape(-1)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, slots=True)
class HeartRateReading:
    """One heart-rate reading from the file, `t_ms` from the recording start."""

    t_ms: float
    bpm: int
    contact: bool | None = None


@dataclass(frozen=True, slots=True)
class ImportedRecording:
    """One recording of beats read from a file.

    `t_ms[i]` is the time of beat i from the recording start and `rr_ms[i]` the interval that
    ends at it; where beats were dropped, `gap_before[i]` is set and `t_ms` jumps by more than
    `rr_ms[i]`.
    `started_at` is timezone-aware, or None when the file does not say.
    Session fields (`kind`, `status`, ...) are only set by archives that carry them.
    """

    format: str
    source_name: str
    content_sha256: str
    started_at: datetime | None
    rr_ms: FloatArray
    gap_before: BoolArray
    t_ms: FloatArray
    artifact: BoolArray
    heart_rate: tuple[HeartRateReading, ...] = ()
    kind: str | None = None
    ended_at: datetime | None = None
    status: str | None = None
    sensor_name: str | None = None
    sensor_address: str | None = None
    #: Recorded from the demo strap (made-up beats); a demo sensor address implies it too.
    simulated: bool = False

    @property
    def n_beats(self) -> int:
        return int(self.rr_ms.size)

    @property
    def duration_s(self) -> float:
        return float(self.t_ms[-1]) / 1000.0 if self.t_ms.size else 0.0


@dataclass(frozen=True, slots=True)
class ImportedDailyValue:
    """One day's summary value from another app; `sdnn_ms` is kept apart from RMSSD."""

    date: date
    rmssd_ms: float | None = None
    resting_hr_bpm: float | None = None
    sdnn_ms: float | None = None


@dataclass(frozen=True, slots=True)
class ImportedDailyValues:
    """A summary export: daily values, no beats."""

    format: str
    source_name: str
    content_sha256: str
    days: tuple[ImportedDailyValue, ...]


@dataclass(frozen=True, slots=True)
class ArchiveLogEntry:
    """One daily log row of a Baseline export."""

    date: str
    rmssd_ms: float | None = None
    resting_hr_bpm: float | None = None
    sleep: int | None = None
    stress: int | None = None
    mood: int | None = None
    note: str | None = None
    sdnn_ms: float | None = None
    #: The person's choice of the day's value ("morning_check" or "manual"); None: the default.
    value_source: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveSession:
    """A session of a Baseline export with everything the store keeps about it."""

    recording: ImportedRecording
    original_id: int | None = None
    rate_bpm: float | None = None
    pattern_json: str | None = None
    duration_s: float | None = None
    stress_before: int | None = None
    stress_after: int | None = None
    note: str | None = None
    source_hash: str | None = None
    marks: tuple[MarkRecord, ...] = ()
    readiness: tuple[tuple[str, object], ...] | None = None


@dataclass(frozen=True, slots=True)
class ImportedArchive:
    """A Baseline export (format `baseline-export`): sessions and the daily log."""

    format: str
    source_name: str
    content_sha256: str
    sessions: tuple[ArchiveSession, ...]
    log: tuple[ArchiveLogEntry, ...] = field(default_factory=tuple)
    # Rows of moments_of_ease and weekly_checkins as (column, value) pairs.
    moments: tuple[tuple[tuple[str, object], ...], ...] = ()
    checkins: tuple[tuple[tuple[str, object], ...], ...] = ()


Imported = ImportedRecording | ImportedDailyValues | ImportedArchive


def make_recording(
    *,
    format_name: str,
    source_name: str,
    content_sha256: str,
    started_at: datetime | None,
    rr_ms: npt.ArrayLike,
    valid: npt.ArrayLike | None = None,
    t_ms: npt.ArrayLike | None = None,
    heart_rate: tuple[HeartRateReading, ...] = (),
) -> ImportedRecording:
    """Turn one slot per interval into a frozen recording with gaps.

    A slot is dropped when `valid` is False or its value is not a beat (not a number, or outside
    200-3000 ms, `app.store.validation`); the next kept beat gets `gap_before`, and the time of a
    dropped slot (if positive) still passes. `t_ms` (optional) are the file's own beat times on any
    origin: a jump longer than the interval marks a gap too; times that go backwards are ignored
    (beat times then come from the intervals). `started_at` is the moment of time 0 on that axis
    (or the start of the first slot); leading dropped slots move the start to the first kept
    interval. Heart-rate readings outside 20-250 bpm are not readings and are dropped.
    Raises FormatError when nothing usable is left, most values are not intervals, fewer than 30
    beats are left, or the start lies outside 2000-01-01 .. now + 1 day.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return _make_recording(
            format_name=format_name,
            source_name=source_name,
            content_sha256=content_sha256,
            started_at=started_at,
            rr_ms=rr_ms,
            valid=valid,
            t_ms=t_ms,
            heart_rate=heart_rate,
        )


def _make_recording(
    *,
    format_name: str,
    source_name: str,
    content_sha256: str,
    started_at: datetime | None,
    rr_ms: npt.ArrayLike,
    valid: npt.ArrayLike | None,
    t_ms: npt.ArrayLike | None,
    heart_rate: tuple[HeartRateReading, ...],
) -> ImportedRecording:
    rr = np.asarray(rr_ms, dtype=np.float64).reshape(-1)
    n = rr.size
    flagged = np.zeros(n, dtype=np.bool_) if valid is None else ~np.asarray(valid, dtype=np.bool_)
    if flagged.size != n:
        raise FormatError("beat columns have different lengths")
    numeric = np.isfinite(rr)
    in_range = numeric & (rr >= MIN_RR_MS) & (rr <= MAX_RR_MS)
    checked = ~flagged
    if n == 0 or not np.any(in_range & checked):
        raise FormatError("no RR intervals found")
    if np.count_nonzero(~in_range & checked) * 2 > np.count_nonzero(checked):
        raise FormatError("most values are not RR intervals")
    keep = in_range & checked
    n_kept = int(np.count_nonzero(keep))
    if n_kept < MIN_RECORDING_BEATS:
        raise FormatError(
            f"only {n_kept} beat{'s' if n_kept != 1 else ''} in range"
            f" ({MIN_RR_MS:g}-{MAX_RR_MS:g} ms); a recording needs at least {MIN_RECORDING_BEATS}"
        )
    elapsed = np.minimum(np.where(numeric & (rr > 0), rr, 0.0), MAX_SPAN_MS)
    slot_end = np.cumsum(elapsed)
    times_all = slot_end
    gaps_from_times: npt.NDArray[np.bool_] | None = None
    if t_ms is not None:
        file_times = np.asarray(t_ms, dtype=np.float64).reshape(-1)
        if file_times.size != n:
            raise FormatError("beat columns have different lengths")
        kept_times = file_times[keep]
        if np.all(np.isfinite(kept_times)) and np.all(np.diff(kept_times) > 0):
            times_all = file_times
            kept_rr = rr[keep]
            jumps = np.diff(kept_times) - kept_rr[1:]
            gaps_from_times = np.concatenate(
                ([False], jumps > np.maximum(GAP_TOLERANCE_MS, 0.25 * kept_rr[1:]))
            )
    kept_index = np.flatnonzero(keep)
    dropped_before = np.zeros(kept_index.size, dtype=np.bool_)
    if kept_index.size > 1:
        bad_cumulative = np.cumsum(~keep)
        dropped_before[1:] = bad_cumulative[kept_index[1:]] > bad_cumulative[kept_index[:-1]]
    gaps = dropped_before if gaps_from_times is None else dropped_before | gaps_from_times
    rr_kept = rr[keep]
    times = times_all[keep]
    shift_ms = float(times[0] - rr_kept[0])
    times = times - shift_ms
    if not (np.all(np.isfinite(times)) and np.all(np.diff(times) > 0)) or times[-1] > MAX_SPAN_MS:
        raise FormatError("beat times are out of order or out of range")
    if started_at is not None:
        try:
            if started_at.tzinfo is None:
                started_at = started_at.astimezone()
            started_at = started_at + timedelta(milliseconds=shift_ms)
        except (ValueError, OverflowError, OSError) as exc:
            raise FormatError("the start time is out of range") from exc
        try:
            started_at = check_moment("start", started_at, now=datetime.now().astimezone())
        except LimitError as exc:
            raise FormatError(str(exc)) from exc
    readings = tuple(
        HeartRateReading(t_ms=r.t_ms - shift_ms, bpm=r.bpm, contact=r.contact)
        for r in heart_rate
        if heart_rate_ok(r.bpm)
    )
    return ImportedRecording(
        format=format_name,
        source_name=source_name,
        content_sha256=content_sha256,
        started_at=started_at,
        rr_ms=frozen_floats(rr_kept),
        gap_before=frozen_bools(gaps),
        t_ms=frozen_floats(times),
        artifact=frozen_bools(np.zeros(rr_kept.size, dtype=np.bool_)),
        heart_rate=readings,
    )


def seconds_to_ms(values_s: FloatArray) -> FloatArray:
    """Seconds to ms, rounded to 1 ns so decimal input (`4.025` s) gives clean ms (`4025.0`)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.round(np.asarray(values_s, dtype=np.float64) * 1000.0, 6)
