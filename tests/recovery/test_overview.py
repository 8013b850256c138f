"""The home screen's data: 70 mixed days, finishing a readiness check, and edits in the table."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from app.recovery.baseline import baseline_table
from app.recovery.daily_values import (
    FROM_LOG,
    FROM_READINESS,
    CachedReadinessSource,
    daily_values,
    finish_readiness,
    ln_rmssd_table,
)
from app.recovery.overview import load_overview
from app.recovery.readiness import ReadinessRefusedError
from app.recovery.reading import Mood
from app.store import Store, open_store
from app.store.daily import readiness_record, save_day
from app.store.records import BeatRecord, LogEntry
from tests.stubs import textbook_summary

FloatArray = npt.NDArray[np.float64]
D0 = date(2026, 1, 5)


def readiness_rr(
    rng: np.random.Generator, mean_rr: float, rmssd: float, n: int = 130
) -> FloatArray:
    """RR whose successive differences have roughly the wanted RMSSD."""
    steps = rng.normal(0, rmssd / math.sqrt(2), n)
    return mean_rr + steps


def store_readiness(store: Store, started: datetime, rr: FloatArray) -> int:
    sid = store.start_session("readiness", started)
    t = np.cumsum(rr)
    store.add_beats(sid, [BeatRecord(float(a), float(b)) for a, b in zip(t, rr, strict=True)])
    store.finish_session(sid, ended_at=started + timedelta(seconds=float(t[-1]) / 1000))
    return sid


def test_seventy_mixed_days_feed_the_chart(tmp_path: Path) -> None:
    store = open_store(tmp_path / "o.db")
    rng = np.random.default_rng(11)
    source = CachedReadinessSource(textbook_summary, version="t")
    expected_rmssd: dict[date, float] = {}
    for i in range(69):
        day = D0 + timedelta(days=i)
        if i % 9 == 8:
            continue  # a day off
        if i % 3 == 0:
            rr = readiness_rr(rng, 950.0, 40.0 + i % 5)
            store_readiness(store, datetime(day.year, day.month, day.day, 6, 45, tzinfo=UTC), rr)
            expected_rmssd[day] = math.sqrt(float(np.mean(np.diff(rr) ** 2)))
            if i % 2 == 0:  # also a log entry that day: the session wins
                store.upsert_log(LogEntry(day.isoformat(), rmssd_ms=99.0, sleep=3))
        else:
            value = 35.0 + (i * 7) % 13
            save_day(store, LogEntry(day.isoformat(), rmssd_ms=value, resting_hr_bpm=60, mood=4))
            expected_rmssd[day] = value
    today = D0 + timedelta(days=69)
    save_day(store, LogEntry(today.isoformat(), rmssd_ms=41.0, stress=2), ["sunlight"])
    expected_rmssd[today] = 41.0

    view = load_overview(store, today, source=source)
    ln = view.ln_rmssd
    assert len(ln) == 70
    assert ln.first_day == D0
    days_with = [D0 + timedelta(days=int(i)) for i in np.flatnonzero(np.isfinite(ln.value))]
    assert days_with == sorted(expected_rmssd)
    for d, v in expected_rmssd.items():
        assert ln.value[(d - D0).days] == pytest.approx(math.log(v))
    # The table behind the chart equals the definitions on the expected values.
    reference = baseline_table({d: math.log(v) for d, v in expected_rmssd.items()})
    assert ln.to_json_rows() == reference.to_json_rows()
    assert view.daily.rmssd_from[D0] == FROM_READINESS
    assert view.daily.rmssd_from[D0 + timedelta(days=1)] == FROM_LOG
    # Overlays line up with the days; the band exists from the 14th value on.
    assert view.overlays["mood"][1] == 4.0
    assert math.isnan(view.overlays["mood"][0])
    assert np.isfinite(ln.normal_low[-1]) and np.isnan(ln.normal_low[5])
    assert view.ln_rmssd_reading.mood is not Mood.GETTING_STARTED
    assert view.today_rmssd_ms == 41.0 and view.today_rmssd_from == FROM_LOG
    assert view.today_moments == ("sunlight",)
    assert view.today_log is not None and view.today_log.stress == 2
    assert len(view.resting_hr) > 0
    assert view.recovery == ()  # readiness checks are rest, not recoveries


def test_editing_a_log_entry_replaces_its_value_in_the_table(tmp_path: Path) -> None:
    store = open_store(tmp_path / "e.db")
    for i in range(4):
        store.upsert_log(LogEntry((D0 + timedelta(days=i)).isoformat(), rmssd_ms=40.0))
    before = ln_rmssd_table(daily_values(store))
    store.upsert_log(LogEntry((D0 + timedelta(days=2)).isoformat(), rmssd_ms=60.0))
    after = ln_rmssd_table(daily_values(store))
    assert before.value[2] == pytest.approx(math.log(40.0))
    assert after.value[2] == pytest.approx(math.log(60.0))
    assert after.baseline_7d[3] == pytest.approx((3 * math.log(40.0) + math.log(60.0)) / 4)
    store.upsert_log(LogEntry((D0 + timedelta(days=3)).isoformat(), sleep=2))  # RMSSD removed
    assert len(ln_rmssd_table(daily_values(store))) == 3


def test_finish_readiness_stores_posture_rise_and_result(tmp_path: Path) -> None:
    store = open_store(tmp_path / "f.db")
    rng = np.random.default_rng(2)
    seated = readiness_rr(rng, 1000.0, 30.0, n=120)
    standing = np.full(80, 750.0)
    sid = store_readiness(
        store, datetime(2026, 3, 1, 7, tzinfo=UTC), np.concatenate([seated, standing])
    )
    source = CachedReadinessSource(textbook_summary, version="t")
    stand_up_s = float(seated.sum()) / 1000 + 0.1
    result = finish_readiness(store, sid, posture="seated", stand_up_s=stand_up_s, source=source)
    assert result.orthostatic is not None
    record = readiness_record(store, sid)
    assert record is not None
    assert record.posture == "seated"
    assert record.hr_rise_peak_bpm == pytest.approx(result.orthostatic.hr_rise_peak_bpm)
    assert record.hr_rise_mean_bpm == pytest.approx(result.orthostatic.hr_rise_mean_bpm)
    assert record.rmssd_ms == pytest.approx(math.sqrt(float(np.mean(np.diff(seated) ** 2))))
    assert record.analyzed_with == "t"
    with pytest.raises(ValueError, match="posture"):
        finish_readiness(store, sid, posture="standing", source=source)


def test_finish_readiness_refusal_is_cached_and_raised(tmp_path: Path) -> None:
    store = open_store(tmp_path / "g.db")
    rng = np.random.default_rng(3)
    rr = readiness_rr(rng, 900.0, 30.0)
    rr[::12] *= 2.0  # about 8% missed beats
    sid = store_readiness(store, datetime(2026, 3, 1, 7, tzinfo=UTC), rr)
    source = CachedReadinessSource(textbook_summary, version="t")
    with pytest.raises(ReadinessRefusedError, match="more than 5%"):
        finish_readiness(store, sid, posture="lying", source=source)
    record = readiness_record(store, sid)
    assert record is not None and record.posture == "lying" and record.rmssd_ms is None
    assert record.refused is not None
    assert daily_values(store, source).rmssd_ms == {}
