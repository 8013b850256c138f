"""Which value a day gets: first readiness session of the day, else the log; caching; overlays."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from app.hrv import report
from app.recovery.daily_values import (
    FROM_LOG,
    FROM_READINESS,
    CachedReadinessSource,
    ReadinessValue,
    choose_daily_values,
    daily_values,
    ln_rmssd_table,
    log_overlay,
    resting_hr_table,
)
from app.store import Store, open_store
from app.store.daily import readiness_record, save_readiness_extras
from app.store.records import BeatRecord, LogEntry
from tests.stubs import StandInSummary, textbook_summary

FloatArray = npt.NDArray[np.float64]
CET = timezone(timedelta(hours=1))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CET)


def test_first_readiness_of_the_day_wins_over_later_ones_and_the_log() -> None:
    readiness = [
        ReadinessValue(2, at(1, 9), 60.0, 55.0),
        ReadinessValue(1, at(1, 7), 40.0, 62.0),
        ReadinessValue(3, at(2, 7), None, None),  # refused: skipped
        ReadinessValue(4, at(2, 8), 50.0, 58.0),
        ReadinessValue(5, at(4, 6), 0.0, 60.0),  # no usable RMSSD, usable HR
    ]
    log = [
        LogEntry("2026-03-01", rmssd_ms=99.0, resting_hr_bpm=50.0, sleep=4),
        LogEntry("2026-03-03", rmssd_ms=45.0, resting_hr_bpm=57.0),
        LogEntry("2026-03-04", rmssd_ms=44.0, resting_hr_bpm=49.0),
        LogEntry("2026-03-05", mood=3),
    ]
    got = choose_daily_values(readiness, log)
    d = [date(2026, 3, i) for i in range(1, 6)]
    assert got.rmssd_ms == {d[0]: 40.0, d[1]: 50.0, d[2]: 45.0, d[3]: 44.0}
    assert got.rmssd_from == {
        d[0]: FROM_READINESS,
        d[1]: FROM_READINESS,
        d[2]: FROM_LOG,
        d[3]: FROM_LOG,
    }
    assert got.resting_hr_bpm == {d[0]: 62.0, d[1]: 58.0, d[2]: 57.0, d[3]: 60.0}
    assert got.resting_hr_from[d[3]] == FROM_READINESS
    assert list(got.log) == [d[0], d[2], d[3], d[4]]


def test_the_day_is_the_local_date_the_session_was_recorded_in() -> None:
    late = datetime(2026, 3, 1, 23, 30, tzinfo=CET)  # 22:30 UTC, still 1 March locally
    early = datetime(2026, 3, 2, 0, 30, tzinfo=CET)  # 23:30 UTC on 1 March
    got = choose_daily_values(
        [ReadinessValue(1, late, 40.0, 60.0), ReadinessValue(2, early, 50.0, 61.0)], []
    )
    assert got.rmssd_ms == {date(2026, 3, 1): 40.0, date(2026, 3, 2): 50.0}


def test_tables_take_logs_of_rmssd_and_plain_resting_hr() -> None:
    log = [
        LogEntry(f"2026-03-{i:02d}", rmssd_ms=30.0 + i, resting_hr_bpm=60.0 - i)
        for i in range(1, 5)
    ]
    daily = choose_daily_values([], log)
    ln = ln_rmssd_table(daily)
    hr = resting_hr_table(daily)
    np.testing.assert_allclose(ln.value, np.log([31.0, 32.0, 33.0, 34.0]))
    np.testing.assert_allclose(hr.value, [59.0, 58.0, 57.0, 56.0])
    assert ln.baseline_7d[2] == pytest.approx(np.mean(np.log([31.0, 32.0, 33.0])))
    assert hr.baseline_7d[3] == pytest.approx(57.5)


def test_log_overlay_aligns_with_table_days() -> None:
    log = [
        LogEntry("2026-03-01", rmssd_ms=40.0, sleep=3),
        LogEntry("2026-02-20", sleep=5),  # before the first value: not in the table
        LogEntry("2026-03-03", rmssd_ms=41.0, sleep=2, stress=4),
    ]
    daily = choose_daily_values([], log)
    table = ln_rmssd_table(daily)
    sleep = log_overlay(table, daily, "sleep")
    np.testing.assert_array_equal(sleep, [3.0, np.nan, 2.0])
    assert not sleep.flags.writeable
    np.testing.assert_array_equal(log_overlay(table, daily, "stress"), [np.nan, np.nan, 4.0])
    with pytest.raises(ValueError):
        log_overlay(table, daily, "rmssd_ms")


def _store_readiness(
    store: Store, started: datetime, rr: FloatArray, status: str = "complete"
) -> int:
    sid = store.start_session("readiness", started)
    t = np.cumsum(rr)
    store.add_beats(sid, [BeatRecord(float(a), float(b)) for a, b in zip(t, rr, strict=True)])
    store.finish_session(
        sid, ended_at=started + timedelta(seconds=float(t[-1]) / 1000), status=status
    )
    return sid


def _rr(seed: int, n: int = 150) -> FloatArray:
    rng = np.random.default_rng(seed)
    return 900 + np.cumsum(rng.normal(0, 5, n)) * 0.2 + rng.normal(0, 20, n)


def test_store_values_use_sessions_and_log_and_cache_the_analysis(db_path: Path) -> None:
    store = open_store(db_path)
    calls: list[int] = []

    def counting(rr: FloatArray, gaps: npt.NDArray[np.bool_]) -> StandInSummary:
        calls.append(rr.size)
        return textbook_summary(rr, gaps)

    rr1, rr2 = _rr(1), _rr(2)
    first = _store_readiness(store, datetime(2026, 3, 1, 6, 30, tzinfo=UTC), rr1)
    _store_readiness(store, datetime(2026, 3, 1, 8, 0, tzinfo=UTC), rr2)
    bad = _rr(3)
    bad[::10] *= 2.0  # 10% missed beats: refused
    refused = _store_readiness(store, datetime(2026, 3, 2, 7, 0, tzinfo=UTC), bad)
    interrupted = _store_readiness(
        store, datetime(2026, 3, 4, 7, 0, tzinfo=UTC), _rr(4), "interrupted"
    )
    deleted = _store_readiness(store, datetime(2026, 3, 5, 7, 0, tzinfo=UTC), _rr(5))
    store.delete_session(deleted)
    store.upsert_log(LogEntry("2026-03-01", rmssd_ms=99.0))
    store.upsert_log(LogEntry("2026-03-02", rmssd_ms=35.0, resting_hr_bpm=61.0))
    store.upsert_log(LogEntry("2026-03-03", rmssd_ms=36.0))

    source = CachedReadinessSource(counting, version="test-1")
    got = daily_values(store, source)
    want_first = math.sqrt(float(np.mean(np.diff(rr1) ** 2)))
    assert got.rmssd_ms[date(2026, 3, 1)] == pytest.approx(want_first)
    assert got.rmssd_ms[date(2026, 3, 2)] == 35.0  # refused readiness -> the log
    assert got.rmssd_from[date(2026, 3, 2)] == FROM_LOG
    assert got.rmssd_ms[date(2026, 3, 3)] == 36.0
    assert date(2026, 3, 4) not in got.rmssd_ms  # interrupted
    assert date(2026, 3, 5) not in got.rmssd_ms  # deleted
    assert len(calls) == 3
    record = readiness_record(store, refused)
    assert record is not None and record.refused is not None and "more than 5%" in record.refused
    assert readiness_record(store, interrupted) is None

    # Cached: a second pass analyses nothing; a new version analyses again.
    assert daily_values(store, source) == got
    assert len(calls) == 3
    daily_values(store, CachedReadinessSource(counting, version="test-2"))
    assert len(calls) == 6
    cached = readiness_record(store, first)
    assert cached is not None and cached.rmssd_ms == pytest.approx(want_first)


def test_stand_up_time_limits_the_resting_part(db_path: Path) -> None:
    store = open_store(db_path)
    seated = _rr(7, 130)
    standing = np.full(60, 700.0)
    sid = _store_readiness(
        store, datetime(2026, 3, 1, 6, 30, tzinfo=UTC), np.concatenate([seated, standing])
    )
    save_readiness_extras(store, sid, posture="seated", stand_up_s=float(seated.sum()) / 1000 + 0.2)
    got = daily_values(store, CachedReadinessSource(textbook_summary, version="t"))
    assert got.resting_hr_bpm[date(2026, 3, 1)] == pytest.approx(60000 / seated.mean())


def test_without_the_hrv_core_readiness_sessions_are_skipped_not_cached(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.recovery.daily_values as dv

    def missing() -> None:
        raise ImportError("no core")

    monkeypatch.setattr(dv, "hrv_core_analyzer", missing)
    store = open_store(db_path)
    sid = _store_readiness(store, datetime(2026, 3, 1, 6, 30, tzinfo=UTC), _rr(1))
    store.upsert_log(LogEntry("2026-03-01", rmssd_ms=33.0))
    got = daily_values(store)
    assert got.rmssd_ms == {date(2026, 3, 1): 33.0}
    assert readiness_record(store, sid) is None


def test_default_source_uses_the_hrv_core(db_path: Path) -> None:
    store = open_store(db_path)
    rr = _rr(9, 160)
    _store_readiness(store, datetime(2026, 3, 1, 6, 30, tzinfo=UTC), rr)
    got = daily_values(store)
    want = report.analyze(rr, gap_before=np.zeros(rr.size, dtype=bool), correction="auto")
    assert got.rmssd_ms[date(2026, 3, 1)] == pytest.approx(want.rmssd_ms)
    assert got.resting_hr_bpm[date(2026, 3, 1)] == pytest.approx(want.mean_hr_bpm)
