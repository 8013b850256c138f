"""The limits every value must meet before it is stored, whichever way it comes in.

| value                 | limit                                                           |
|-----------------------|-----------------------------------------------------------------|
| date or start time    | 2000-01-01 to now plus one day                                  |
| RR interval (a beat)  | 200-3000 ms; readers drop other values as gaps, never as beats  |
| heart rate            | 20-250 bpm                                                      |
| RMSSD                 | 1-500 ms                                                        |
| session kind / status | a `SessionKind` / `SessionStatus` member                        |
| recording from a file | at least 30 beats                                               |

Import (every reader, Baseline JSON, `--at`), `baseline log` and the log form check against these
limits; a value outside raises `LimitError`, whose message names the field and the value. The
views use `showable_sessions` / `showable_beats` to skip stored rows they cannot show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from app.store.records import BeatRecord, SessionRecord
from app.store.records import SessionKind as SessionKind
from app.store.records import SessionStatus as SessionStatus

EARLIEST_DATE = date(2000, 1, 1)
#: How far past now a date or time may lie (clocks and time zones differ by up to a day).
FUTURE_SLACK = timedelta(days=1)
RR_RANGE_MS = (200.0, 3000.0)
HEART_RATE_RANGE_BPM = (20.0, 250.0)
RMSSD_RANGE_MS = (1.0, 500.0)
MIN_RECORDING_BEATS = 30


class LimitError(ValueError):
    """A value lies outside its limit; the message names the field and the value."""


def latest_date(today: date) -> date:
    """The last date accepted when it is `today`."""
    return today + FUTURE_SLACK


def check_day(field: str, day: date, *, today: date) -> date:
    """`day` when it lies in 2000-01-01 .. today + 1 day, else LimitError."""
    last = latest_date(today)
    if not EARLIEST_DATE <= day <= last:
        raise LimitError(
            f"{field} {day.isoformat()} is outside"
            f" {EARLIEST_DATE.isoformat()} to {last.isoformat()}"
        )
    return day


def check_moment(field: str, moment: datetime, *, now: datetime) -> datetime:
    """A timezone-aware `moment` in 2000-01-01 .. now + 1 day (local dates), else LimitError.

    Naive times are taken as local time.
    """
    try:
        aware = moment if moment.tzinfo is not None else moment.astimezone()
        in_range = aware.date() >= EARLIEST_DATE and aware <= now + FUTURE_SLACK
    except (OverflowError, ValueError, OSError):
        in_range = False
    if not in_range:
        raise LimitError(
            f"{field} {moment.isoformat()} is outside {EARLIEST_DATE.isoformat()} to"
            " now plus one day"
        )
    return aware


def is_showable_moment(moment: datetime | None, *, now: datetime) -> bool:
    """Whether a stored time can be shown and computed with (None counts as showable)."""
    if moment is None:
        return True
    try:
        check_moment("time", moment, now=now)
        moment.astimezone()
    except (LimitError, OverflowError, ValueError, OSError):
        return False
    return True


def _check_range(field: str, value: float, lo: float, hi: float, unit: str) -> float:
    if not (math.isfinite(value) and lo <= value <= hi):
        raise LimitError(f"{field} {value:g} is outside {lo:g}-{hi:g} {unit}")
    return float(value)


def rr_is_beat(rr_ms: float) -> bool:
    """Whether `rr_ms` may be stored as a normal beat."""
    lo, hi = RR_RANGE_MS
    return math.isfinite(rr_ms) and lo <= rr_ms <= hi


def check_heart_rate(field: str, bpm: float) -> float:
    """A heart rate: 20-250 bpm."""
    return _check_range(field, bpm, *HEART_RATE_RANGE_BPM, "bpm")


def heart_rate_ok(bpm: float) -> bool:
    lo, hi = HEART_RATE_RANGE_BPM
    return math.isfinite(bpm) and lo <= bpm <= hi


def check_rmssd(field: str, rmssd_ms: float) -> float:
    """An RMSSD value: 1-500 ms."""
    return _check_range(field, rmssd_ms, *RMSSD_RANGE_MS, "ms")


def rmssd_ok(rmssd_ms: float) -> bool:
    lo, hi = RMSSD_RANGE_MS
    return math.isfinite(rmssd_ms) and lo <= rmssd_ms <= hi


def check_kind(value: str) -> SessionKind:
    """A known session kind, else LimitError."""
    try:
        return SessionKind(value)
    except ValueError:
        known = ", ".join(k.value for k in SessionKind)
        raise LimitError(f"kind {value!r} is not one of {known}") from None


def check_status(value: str) -> SessionStatus:
    """A known session status, else LimitError."""
    try:
        return SessionStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in SessionStatus)
        raise LimitError(f"status {value!r} is not one of {known}") from None


def check_beat_count(n_beats: int) -> int:
    """A recording from a file needs at least 30 beats."""
    if n_beats < MIN_RECORDING_BEATS:
        raise LimitError(
            f"only {n_beats} beat{'s' if n_beats != 1 else ''}; a recording needs at least"
            f" {MIN_RECORDING_BEATS}"
        )
    return n_beats


#: Longest session a view shows (a recording from a file is at most a week).
MAX_SESSION_S = 7 * 24 * 3600.0


def is_showable_session(record: SessionRecord, *, now: datetime) -> bool:
    """Whether a stored session's values are possible: times in range, finite numbers.

    Rows written before these limits (or by hand) may hold a year-1 start or a negative duration;
    the views skip such rows instead of failing on them.
    """
    if not is_showable_moment(record.started_at, now=now):
        return False
    if not is_showable_moment(record.ended_at, now=now):
        return False
    duration = record.duration_s
    if duration is not None and not (math.isfinite(duration) and 0 <= duration <= MAX_SESSION_S):
        return False
    return record.rate_bpm is None or math.isfinite(record.rate_bpm)


def showable_sessions(
    records: Sequence[SessionRecord], *, now: datetime
) -> tuple[list[SessionRecord], int]:
    """The sessions a view can show, and how many it has to skip."""
    kept = [r for r in records if is_showable_session(r, now=now)]
    return kept, len(records) - len(kept)


def skipped_note(n_skipped: int, what: str = "session") -> str:
    """A short sentence about rows a view did not show ('' when none)."""
    if n_skipped <= 0:
        return ""
    plural = "s" if n_skipped != 1 else ""
    verb = "are" if n_skipped != 1 else "is"
    return (
        f"{n_skipped} stored {what}{plural} with impossible values (such as a date before 2000)"
        f" {verb} not shown."
    )


#: Longest RR value a strap can send (16 bits of 1/1024 s); a stored value above is impossible.
MAX_STORED_RR_MS = 65536.0


def showable_beats(beats: Sequence[BeatRecord]) -> tuple[list[BeatRecord], int]:
    """The stored beats a view can use, and how many it has to skip.

    A beat is impossible when its RR is not a number, not positive or above what a strap can
    send, or its time is not a number or not after the previous beat's.
    """
    kept: list[BeatRecord] = []
    last_t = -math.inf
    for beat in beats:
        t, rr = beat.t_ms, beat.rr_ms
        if math.isfinite(rr) and 0 < rr <= MAX_STORED_RR_MS and math.isfinite(t) and t > last_t:
            kept.append(beat)
            last_t = t
    return kept, len(beats) - len(kept)
