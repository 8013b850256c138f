"""Baseline's own JSON export (`format: baseline-export`, version 2): writing and reading it back.

Version 1 files (stress before/after on 1-10) are read too, their stress converted to 1-5.

The layout is the one promised in CLI.md, with a few extra keys so that importing an export into an
empty database reproduces it exactly: beats carry `gap_before`; sessions carry `rate_bpm`,
`pattern_json`, `duration_s`, `stress_before`, `stress_after`, `note`, `source_hash`, `marks` and
`readiness` (posture, stand-up time); log entries carry `sdnn_ms` when the store has it; top-level
`moments_of_ease` and `weekly_checkins` carry those tables (see `app.formats.extras`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import numpy as np

from app.formats import extras
from app.formats.baseline_format import FORMAT as FORMAT
from app.formats.baseline_format import READABLE_VERSIONS, TEN_POINT_STRESS_VERSION
from app.formats.errors import FormatError
from app.formats.recording import (
    ArchiveLogEntry,
    ArchiveSession,
    HeartRateReading,
    ImportedArchive,
    ImportedRecording,
    frozen_bools,
    frozen_floats,
)
from app.formats.source import Source
from app.store.records import DaySource, MarkRecord
from app.store.scales import on_scale, stress_from_ten
from app.store.validation import (
    LimitError,
    check_day,
    check_heart_rate,
    check_kind,
    check_moment,
    check_rmssd,
    check_status,
    rr_is_beat,
)

_T = TypeVar("_T")
# An RR value flagged as an artifact may lie outside the beat range (a strap sent it), but must
# still be a time a strap can send (16 bits of 1/1024 s).
MAX_ARTIFACT_RR_MS = 65536.0


def sniff(source: Source, head: str | None) -> bool:
    return head is not None and head.lstrip().startswith("{") and f'"{FORMAT}"' in head[:4096]


def _get(obj: dict[str, Any], key: str, kinds: tuple[type, ...], *, required: bool = False) -> Any:
    value = obj.get(key)
    if value is None:
        if required:
            raise FormatError(f"missing {key!r}")
        return None
    if isinstance(value, bool) and bool not in kinds:
        raise FormatError(f"{key!r} has the wrong type")
    if not isinstance(value, kinds):
        raise FormatError(f"{key!r} has the wrong type")
    if isinstance(value, float) and not math.isfinite(value):
        raise FormatError(f"{key!r} is not a finite number")
    return value


def _time(obj: dict[str, Any], key: str, *, required: bool) -> datetime | None:
    text = _get(obj, key, (str,), required=required)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FormatError(f"{key!r} is not an ISO-8601 time: {text[:40]!r}") from exc
    if moment.tzinfo is None:
        raise FormatError(f"{key!r} has no UTC offset: {text[:40]!r}")
    return moment


def _dicts(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise FormatError(f"{key!r} is not a list of objects")
    return value


_NUM = (int, float)


def _check_beats(rr_ms: list[float], artifact: list[bool]) -> None:
    """Every beat within 200-3000 ms, or flagged as an artifact with a time a strap can send."""
    for i, (rr, flagged) in enumerate(zip(rr_ms, artifact, strict=True)):
        if rr_is_beat(rr) or (flagged and 0 < rr <= MAX_ARTIFACT_RR_MS):
            continue
        raise FormatError(f"rr_ms {rr:g} is outside 200-3000 ms (beat {i + 1})")


def _stress(obj: dict[str, Any], key: str, *, ten_point: bool) -> int | None:
    """A stress answer on the 1-5 scale (a version-1 export's 1-10 answer converted)."""
    value: int | None = _get(obj, key, (int,))
    if ten_point:
        return stress_from_ten(value)
    if not on_scale(value):
        raise FormatError(f"{key!r} must be 1-5, not {value}")
    return value


def _checked_session(
    obj: dict[str, Any], source: Source, now: datetime, *, ten_point_stress: bool = False
) -> ArchiveSession:
    session = _session(obj, source, ten_point_stress=ten_point_stress)
    recording = session.recording
    try:
        check_kind(recording.kind or "")
        check_status(recording.status or "")
        assert recording.started_at is not None
        check_moment("started_at", recording.started_at, now=now)
        if recording.ended_at is not None:
            check_moment("ended_at", recording.ended_at, now=now)
        for reading in recording.heart_rate:
            check_heart_rate("heart rate", reading.bpm)
    except LimitError as exc:
        raise FormatError(str(exc)) from exc
    _check_beats(recording.rr_ms.tolist(), recording.artifact.tolist())
    return session


def _session(
    obj: dict[str, Any], source: Source, *, ten_point_stress: bool = False
) -> ArchiveSession:
    beats = _dicts(obj, "beats")
    t_ms = [float(_get(b, "t_ms", _NUM, required=True)) for b in beats]
    rr_ms = [float(_get(b, "rr_ms", _NUM, required=True)) for b in beats]
    artifact = [bool(_get(b, "artifact", (bool,))) for b in beats]
    gap = [bool(_get(b, "gap_before", (bool,))) for b in beats]
    readings = tuple(
        HeartRateReading(
            t_ms=float(_get(r, "t_ms", _NUM, required=True)),
            bpm=int(_get(r, "bpm", (int,), required=True)),
            contact=_get(r, "contact", (bool,)),
        )
        for r in _dicts(obj, "heart_rate")
    )
    sensor = obj.get("sensor")
    if sensor is not None and not isinstance(sensor, dict):
        raise FormatError("'sensor' is not an object")
    sensor = sensor or {}
    status = _get(obj, "status", (str,), required=True)
    recording = ImportedRecording(
        format=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        started_at=_time(obj, "started_at", required=True),
        rr_ms=frozen_floats(np.array(rr_ms, dtype=np.float64)),
        gap_before=frozen_bools(np.array(gap, dtype=np.bool_)),
        t_ms=frozen_floats(np.array(t_ms, dtype=np.float64)),
        artifact=frozen_bools(np.array(artifact, dtype=np.bool_)),
        heart_rate=readings,
        kind=_get(obj, "kind", (str,), required=True),
        ended_at=_time(obj, "ended_at", required=False),
        status=status,
        sensor_name=_get(sensor, "name", (str,)),
        sensor_address=_get(sensor, "address", (str,)),
        simulated=bool(_get(obj, "simulated", (bool,))),
    )
    marks = tuple(
        MarkRecord(
            t_ms=float(_get(m, "t_ms", _NUM, required=True)),
            kind=_get(m, "kind", (str,), required=True),
            detail=_get(m, "detail", (str,)),
        )
        for m in _dicts(obj, "marks")
    )
    readiness = obj.get("readiness")
    readiness_pairs = (
        None
        if readiness is None
        else extras.checked_row(readiness, extras.READINESS, (), "a session's 'readiness'")
    )
    rate = _get(obj, "rate_bpm", _NUM)
    duration = _get(obj, "duration_s", _NUM)
    return ArchiveSession(
        recording=recording,
        original_id=_get(obj, "id", (int,)),
        rate_bpm=None if rate is None else float(rate),
        pattern_json=_get(obj, "pattern_json", (str,)),
        duration_s=None if duration is None else float(duration),
        stress_before=_stress(obj, "stress_before", ten_point=ten_point_stress),
        stress_after=_stress(obj, "stress_after", ten_point=ten_point_stress),
        note=_get(obj, "note", (str,)),
        source_hash=_get(obj, "source_hash", (str,)),
        marks=marks,
        readiness=readiness_pairs,
    )


def _log_entry(obj: dict[str, Any], today: date) -> ArchiveLogEntry:
    day = _get(obj, "date", (str,), required=True)
    try:
        parsed = datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError as exc:
        raise FormatError(f"log date {day[:20]!r} is not YYYY-MM-DD") from exc

    def number(key: str) -> float | None:
        value = _get(obj, key, _NUM)
        return None if value is None else float(value)

    def scale(key: str) -> int | None:
        value = _get(obj, key, (int,))
        if value is not None and not 1 <= value <= 5:
            raise FormatError(f"{key} {value} is outside 1-5")
        return value  # type: ignore[no-any-return]

    entry = ArchiveLogEntry(
        date=day,
        rmssd_ms=number("rmssd_ms"),
        resting_hr_bpm=number("resting_hr_bpm"),
        sleep=scale("sleep"),
        stress=scale("stress"),
        mood=scale("mood"),
        note=_get(obj, "note", (str,)),
        sdnn_ms=number("sdnn_ms"),
        value_source=_value_source(obj),
    )
    try:
        check_day("date", parsed, today=today)
        if entry.rmssd_ms is not None:
            check_rmssd("rmssd_ms", entry.rmssd_ms)
        if entry.resting_hr_bpm is not None:
            check_heart_rate("resting_hr_bpm", entry.resting_hr_bpm)
    except LimitError as exc:
        raise FormatError(str(exc)) from exc
    return entry


def _each(
    items: list[dict[str, Any]], label: str, read_one: Callable[[dict[str, Any]], _T]
) -> tuple[_T, ...]:
    """`read_one` over `items`; a FormatError names the item (`session 3: ...`, 1-based)."""
    out: list[_T] = []
    for i, item in enumerate(items):
        try:
            out.append(read_one(item))
        except FormatError as exc:
            raise FormatError(f"{label} {i + 1}: {exc}") from exc
    return tuple(out)


def _value_source(obj: dict[str, Any]) -> str | None:
    value = _get(obj, "value_source", (str,))
    if value is None:
        return None
    try:
        return DaySource(value).value
    except ValueError:
        raise FormatError(f"log value_source {str(value)[:20]!r} is not one I know") from None


def read(source: Source) -> ImportedArchive:
    try:
        document = json.loads(source.text())
    except (json.JSONDecodeError, RecursionError) as exc:
        raise FormatError(f"broken JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FormatError("not a Baseline export")
    version = document.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise FormatError(f"Baseline export version {version!r} is not known")
    now = datetime.now().astimezone()
    ten_point = version == TEN_POINT_STRESS_VERSION
    sessions = _each(
        _dicts(document, "sessions"),
        "session",
        lambda s: _checked_session(s, source, now, ten_point_stress=ten_point),
    )
    log = _each(_dicts(document, "log"), "log entry", lambda e: _log_entry(e, now.date()))
    return ImportedArchive(
        format=FORMAT,
        source_name=source.name,
        content_sha256=source.sha256,
        sessions=sessions,
        log=log,
        moments=extras.checked_rows(
            document, "moments_of_ease", extras.MOMENTS, extras.MOMENTS_REQUIRED
        ),
        checkins=extras.checked_rows(
            document, "weekly_checkins", extras.CHECKINS, extras.CHECKINS_REQUIRED
        ),
    )
