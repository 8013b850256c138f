"""Recovery speed over stored sessions: heart-rate series, the resting reference, and a cache.

Readiness checks are rest by design and are not searched for recoveries; every other finished
session with heart-rate data is, except sessions from the demo strap (simulated, not the
person's). Results are cached per session in `recovery_episodes` (with `recovery_analysed`
remembering sessions that had none), keyed by the method version.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from app.recovery.baseline import BaselineTable
from app.recovery.recovery_speed import (
    RECOVERY_METHOD_VERSION,
    HeartRateSeries,
    RecoveryEpisode,
    RecoveryPoint,
    recovery_episodes,
)
from app.store import Store
from app.store.daily import (
    RecoveryEpisodeRecord,
    analysed_sessions,
    save_recovery_episodes,
)
from app.store.daily import (
    recovery_episodes as cached_episodes,
)
from app.store.records import SessionRecord

MIN_BEATS_FOR_RR_SERIES = 30


def hr_series_from_store(store: Store, session_id: int) -> HeartRateSeries:
    """HR from the session's beats (60000 / RR, artifacts left out), else from its HR readings."""
    beats = [b for b in store.beats(session_id) if not b.artifact and b.rr_ms > 0]
    if len(beats) >= MIN_BEATS_FOR_RR_SERIES:
        t_s = np.fromiter((b.t_ms / 1000.0 for b in beats), dtype=np.float64, count=len(beats))
        rr = np.fromiter((b.rr_ms for b in beats), dtype=np.float64, count=len(beats))
        return HeartRateSeries.of(t_s, 60000.0 / rr)
    readings = [r for r in store.heart_rate(session_id) if r.bpm > 0 and r.contact is not False]
    return HeartRateSeries.of([r.t_ms / 1000.0 for r in readings], [float(r.bpm) for r in readings])


def resting_reference_bpm(resting_table: BaselineTable, day: date) -> float | None:
    """The resting HR 7-day baseline on `day`, or on the last day before it that has one."""
    if resting_table.first_day is None or day < resting_table.first_day:
        return None
    last = min((day - resting_table.first_day).days, len(resting_table) - 1)
    values = np.asarray(resting_table.baseline_7d[: last + 1])
    known = np.flatnonzero(np.isfinite(values))
    return float(values[known[-1]]) if known.size else None


def session_recovery(
    store: Store, session: SessionRecord, resting_bpm: float | None
) -> tuple[RecoveryEpisode, ...]:
    """The recovery episodes of one stored session (not cached)."""
    series = hr_series_from_store(store, session.id)
    marks = [(m.t_ms / 1000.0, m.kind) for m in store.marks(session.id)]
    return recovery_episodes(series, marks, resting_bpm)


def recovery_points(
    store: Store, resting_table: BaselineTable, *, version: str = RECOVERY_METHOD_VERSION
) -> list[RecoveryPoint]:
    """Every measured recovery on the calendar, oldest first, analysing uncached sessions."""
    done = analysed_sessions(store, version)
    by_session: dict[int, list[RecoveryEpisodeRecord]] = {}
    for rec in cached_episodes(store):
        by_session.setdefault(rec.session_id, []).append(rec)
    points: list[RecoveryPoint] = []
    for session in reversed(store.sessions(include_simulated=False)):
        if session.kind == "readiness" or session.status == "active":
            continue
        day = session.started_at.date()
        if session.id not in done:
            episodes = session_recovery(store, session, resting_reference_bpm(resting_table, day))
            records = [
                RecoveryEpisodeRecord(
                    session.id,
                    e.start_s,
                    e.trigger,
                    e.hr_start_bpm,
                    e.drop_60s_bpm,
                    e.tau_s,
                    e.r_squared,
                    version,
                )
                for e in episodes
            ]
            save_recovery_episodes(store, session.id, records, version)
            by_session[session.id] = records
        for rec in by_session.get(session.id, []):
            points.append(RecoveryPoint(day, rec.tau_s, rec.drop_60s_bpm))
    return points
