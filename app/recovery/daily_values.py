"""Where each day's value comes from: a measured morning check, or the manual log.

- RMSSD of day d: the first readiness session that day (by start time, in the clock the session
  was recorded in) that has a value, else the manual log's RMSSD, else none. A readiness session
  that was refused (over 5% artifacts, too short), unfinished, deleted or recorded from the demo
  strap (simulated) has no value and is skipped, so the next one that morning, or the log, counts.
- When a day has both a morning-check value and a manual value, the morning check counts unless
  the person chose the manual value for that day (`app.store.daily.set_day_source`); the choice
  is kept per date and never hides a value: both stay visible, only one counts.
- Resting heart rate of day d: the same rule with the session's mean heart rate and the log's
  resting heart rate (and the same choice), so the two tables describe the same morning.

How a readiness session turns into a value is injected (`ReadinessSource`); the default analyses
the stored beats with `app.recovery.readiness` and caches the result in the `readiness` table,
keyed by the analysis version so a new method recomputes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

from app import __version__
from app.recovery.baseline import BaselineSettings, BaselineTable, baseline_table
from app.recovery.readiness import (
    READINESS_METHOD_VERSION,
    Analyzer,
    ReadinessRefusedError,
    ReadinessResult,
    analyze_readiness,
    hrv_core_analyzer,
)
from app.store import Store
from app.store.daily import (
    day_sources,
    readiness_record,
    save_readiness_extras,
    save_readiness_result,
)
from app.store.records import DaySource, LogEntry, SessionKind, SessionRecord, SessionStatus

FROM_READINESS = DaySource.MORNING_CHECK
FROM_LOG = DaySource.MANUAL
LOG_OVERLAYS = ("sleep", "stress", "mood")
POSTURES = ("seated", "lying")


@dataclass(frozen=True, slots=True)
class ReadinessValue:
    """A readiness session's values (None when it was refused)."""

    session_id: int
    started_at: datetime
    rmssd_ms: float | None
    mean_hr_bpm: float | None


@dataclass(frozen=True)
class DailyValues:
    """The chosen value of each day, where it came from, and the log entries (for overlays)."""

    rmssd_ms: Mapping[date, float]
    rmssd_from: Mapping[date, DaySource]
    resting_hr_bpm: Mapping[date, float]
    resting_hr_from: Mapping[date, DaySource]
    log: Mapping[date, LogEntry]
    #: The first usable morning-check RMSSD of each day, whether or not it counts.
    check_rmssd_ms: Mapping[date, float] = field(default_factory=dict)
    #: The person's choice per day (days left to the default rule are absent).
    chosen: Mapping[date, DaySource] = field(default_factory=dict)

    def manual_rmssd_ms(self, day: date) -> float | None:
        """The day's usable manual RMSSD, whether or not it counts."""
        entry = self.log.get(day)
        value = None if entry is None else entry.rmssd_ms
        return float(value) if value is not None and _usable(value) else None

    def has_both(self, day: date) -> bool:
        """The day has a morning-check value and a manual value: the person may choose."""
        return day in self.check_rmssd_ms and self.manual_rmssd_ms(day) is not None


#: Turns a stored readiness session into its values, or None when it has none.
ReadinessSource = Callable[[Store, SessionRecord], ReadinessValue | None]


def _usable(x: float | None) -> bool:
    return x is not None and math.isfinite(x) and x > 0


def _first_per_day(
    readiness: Iterable[ReadinessValue], attr: str
) -> dict[date, tuple[datetime, float]]:
    first: dict[date, tuple[datetime, float]] = {}
    for r in readiness:
        value = getattr(r, attr)
        if value is None or not _usable(value):
            continue
        day = r.started_at.date()
        seen = first.get(day)
        if seen is None or r.started_at < seen[0]:
            first[day] = (r.started_at, float(value))
    return first


def _pick(
    check: Mapping[date, float],
    manual: Mapping[date, float],
    chosen: Mapping[date, DaySource],
) -> tuple[dict[date, float], dict[date, DaySource]]:
    values: dict[date, float] = {}
    sources: dict[date, DaySource] = {}
    for day in sorted(set(check) | set(manual)):
        prefer_manual = chosen.get(day) is DaySource.MANUAL
        if day in manual and (prefer_manual or day not in check):
            values[day], sources[day] = manual[day], DaySource.MANUAL
        else:
            values[day], sources[day] = check[day], DaySource.MORNING_CHECK
    return values, sources


def choose_daily_values(
    readiness: Iterable[ReadinessValue],
    log: Iterable[LogEntry],
    chosen: Mapping[date, DaySource] | None = None,
) -> DailyValues:
    """Apply the per-day rule (module docstring) to readiness values, log entries and choices."""
    readings = list(readiness)
    check_rmssd = {d: v for d, (_, v) in _first_per_day(readings, "rmssd_ms").items()}
    check_hr = {d: v for d, (_, v) in _first_per_day(readings, "mean_hr_bpm").items()}
    entries = {date.fromisoformat(e.date): e for e in log}
    manual_rmssd = {
        d: float(e.rmssd_ms)
        for d, e in entries.items()
        if e.rmssd_ms is not None and _usable(e.rmssd_ms)
    }
    manual_hr = {
        d: float(e.resting_hr_bpm)
        for d, e in entries.items()
        if e.resting_hr_bpm is not None and _usable(e.resting_hr_bpm)
    }
    picks = dict(chosen or {})
    rmssd, rmssd_from = _pick(check_rmssd, manual_rmssd, picks)
    hr, hr_from = _pick(check_hr, manual_hr, picks)
    return DailyValues(
        rmssd_ms=rmssd,
        rmssd_from=rmssd_from,
        resting_hr_bpm=hr,
        resting_hr_from=hr_from,
        log=dict(sorted(entries.items())),
        check_rmssd_ms=dict(sorted(check_rmssd.items())),
        chosen=picks,
    )


def ln_rmssd_table(daily: DailyValues, settings: BaselineSettings | None = None) -> BaselineTable:
    """The lnRMSSD baseline table (values are natural logs of RMSSD in ms)."""
    return baseline_table({d: math.log(v) for d, v in daily.rmssd_ms.items()}, settings)


def resting_hr_table(daily: DailyValues, settings: BaselineSettings | None = None) -> BaselineTable:
    """The resting heart-rate table, in bpm (a lower baseline is the rested direction)."""
    return baseline_table(dict(daily.resting_hr_bpm), settings)


def log_overlay(table: BaselineTable, daily: DailyValues, field: str) -> npt.NDArray[np.float64]:
    """A log scale (`sleep`, `stress` or `mood`) aligned with the table's days, NaN where unset."""
    if field not in LOG_OVERLAYS:
        raise ValueError(f"unknown overlay {field!r}; expected one of {LOG_OVERLAYS}")
    out = np.full(len(table), np.nan)
    if table.first_day is not None:
        for day, entry in daily.log.items():
            i = (day - table.first_day).days
            value = getattr(entry, field)
            if 0 <= i < out.size and value is not None:
                out[i] = float(value)
    out.setflags(write=False)
    return out


class ReadinessUnavailableError(RuntimeError):
    """This build has no HRV core to analyse readiness recordings with."""


class CachedReadinessSource:
    """Analyse a readiness session's stored beats once and keep the result in the store."""

    def __init__(self, analyzer: Analyzer | None = None, version: str | None = None) -> None:
        self._analyzer = analyzer
        self.version = version or f"{READINESS_METHOD_VERSION}/app-{__version__}"

    def _resolve(self) -> Analyzer:
        if self._analyzer is None:
            try:
                self._analyzer = hrv_core_analyzer()
            except (ImportError, AttributeError) as exc:
                raise ReadinessUnavailableError("the HRV analysis is not available") from exc
        return self._analyzer

    def analyse(self, store: Store, session_id: int) -> ReadinessResult:
        """Analyse the session now and cache the result, or the refusal (then re-raised).

        The stand-up time stored with the session's readiness extras limits the resting part.
        """
        analyzer = self._resolve()
        extras = readiness_record(store, session_id)
        beats = store.beats(session_id)
        try:
            result = analyze_readiness(
                [b.rr_ms for b in beats],
                [b.gap_before for b in beats],
                t_ms=[b.t_ms for b in beats],
                stand_up_s=extras.stand_up_s if extras is not None else None,
                analyzer=analyzer,
            )
        except ReadinessRefusedError as exc:
            save_readiness_result(
                store,
                session_id,
                rmssd_ms=None,
                mean_hr_bpm=None,
                artifact_pct=None,
                refused=str(exc),
                analyzed_with=self.version,
            )
            raise
        save_readiness_result(
            store,
            session_id,
            rmssd_ms=result.rmssd_ms,
            mean_hr_bpm=result.mean_hr_bpm,
            artifact_pct=result.artifact_pct,
            refused=None,
            analyzed_with=self.version,
        )
        return result

    def __call__(self, store: Store, session: SessionRecord) -> ReadinessValue | None:
        cached = readiness_record(store, session.id)
        if cached is not None and cached.analyzed_with == self.version:
            return ReadinessValue(
                session.id, session.started_at, cached.rmssd_ms, cached.mean_hr_bpm
            )
        try:
            result = self.analyse(store, session.id)
        except ReadinessUnavailableError:
            # No HRV core in this build: nothing to compute, and nothing cached as refused.
            return ReadinessValue(session.id, session.started_at, None, None)
        except ReadinessRefusedError:
            return ReadinessValue(session.id, session.started_at, None, None)
        return ReadinessValue(session.id, session.started_at, result.rmssd_ms, result.mean_hr_bpm)


def finish_readiness(
    store: Store,
    session_id: int,
    *,
    posture: str,
    stand_up_s: float | None = None,
    source: CachedReadinessSource | None = None,
) -> ReadinessResult:
    """After a readiness check is stored: record posture and stand-up, analyse, cache, return.

    Raises `ReadinessRefusedError` (its message is for the user; the refusal is cached, so the
    day falls back to a later check or the log) or `ReadinessUnavailableError`.
    """
    if posture not in POSTURES:
        raise ValueError(f"posture must be one of {POSTURES}, not {posture!r}")
    src = source or CachedReadinessSource()
    save_readiness_extras(store, session_id, posture=posture, stand_up_s=stand_up_s)
    result = src.analyse(store, session_id)
    if result.orthostatic is not None:
        save_readiness_extras(
            store,
            session_id,
            posture=posture,
            stand_up_s=stand_up_s,
            hr_rise_peak_bpm=result.orthostatic.hr_rise_peak_bpm,
            hr_rise_mean_bpm=result.orthostatic.hr_rise_mean_bpm,
        )
    return result


def readiness_values(store: Store, source: ReadinessSource) -> list[ReadinessValue]:
    """Values of every complete, not deleted, measured readiness session, oldest first.

    Sessions from the demo strap are simulated and never give a value.
    """
    out: list[ReadinessValue] = []
    for session in reversed(store.sessions(kind=SessionKind.READINESS, include_simulated=False)):
        if session.status is not SessionStatus.COMPLETE:
            continue
        value = source(store, session)
        if value is not None:
            out.append(value)
    return out


def morning_check_rmssd_ms(
    store: Store, day: date, source: ReadinessSource | None = None
) -> float | None:
    """The RMSSD of the day's first measured morning check (whether or not it counts)."""
    values = [
        v
        for v in readiness_values(store, source or CachedReadinessSource())
        if v.started_at.date() == day
    ]
    first = _first_per_day(values, "rmssd_ms").get(day)
    return None if first is None else first[1]


def daily_values(store: Store, source: ReadinessSource | None = None) -> DailyValues:
    """Each day's chosen values from the store (readiness sessions and the manual log)."""
    readiness = readiness_values(store, source or CachedReadinessSource())
    chosen = {date.fromisoformat(d): s for d, s in day_sources(store).items()}
    return choose_daily_values(readiness, store.log_entries(), chosen)
