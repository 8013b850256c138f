"""One rule for a day with both a morning check and a manual value: the check counts by default,
the person may choose the manual value for that day, and `trend --json` says which one counts."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.cli import main
from app.recovery.daily_values import (
    CachedReadinessSource,
    ReadinessValue,
    choose_daily_values,
    daily_values,
)
from app.store import Store, open_store
from app.store.daily import (
    day_sources,
    delete_day,
    save_day,
    save_readiness_result,
    set_day_source,
)
from app.store.records import DaySource, LogEntry

REST_FILE = Path(__file__).resolve().parents[1] / "data" / "rr" / "rest_5min_pyhrv_short.txt"
CET = timezone(timedelta(hours=1))
D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CET)


def test_the_check_counts_by_default_and_the_choice_switches_both_values() -> None:
    readiness = [ReadinessValue(1, at(D1), 40.0, 60.0), ReadinessValue(2, at(D2), 50.0, 58.0)]
    log = [
        LogEntry(D1.isoformat(), rmssd_ms=70.0, resting_hr_bpm=52.0),
        LogEntry(D2.isoformat(), rmssd_ms=65.0),  # no resting HR: the check's HR stays
        LogEntry(D3.isoformat(), rmssd_ms=30.0),
    ]
    default = choose_daily_values(readiness, log)
    assert dict(default.rmssd_ms) == {D1: 40.0, D2: 50.0, D3: 30.0}
    assert dict(default.rmssd_from) == {
        D1: DaySource.MORNING_CHECK,
        D2: DaySource.MORNING_CHECK,
        D3: DaySource.MANUAL,
    }
    assert default.has_both(D1) and default.has_both(D2) and not default.has_both(D3)

    chosen = choose_daily_values(
        readiness, log, {D1: DaySource.MANUAL, D2: DaySource.MANUAL, D3: DaySource.MORNING_CHECK}
    )
    assert dict(chosen.rmssd_ms) == {D1: 70.0, D2: 65.0, D3: 30.0}
    assert dict(chosen.rmssd_from) == {
        D1: DaySource.MANUAL,
        D2: DaySource.MANUAL,
        D3: DaySource.MANUAL,  # nothing measured that day: the log is all there is
    }
    assert dict(chosen.resting_hr_bpm) == {D1: 52.0, D2: 58.0}
    assert chosen.resting_hr_from[D1] is DaySource.MANUAL
    assert chosen.resting_hr_from[D2] is DaySource.MORNING_CHECK
    # both values stay visible whichever counts
    assert chosen.check_rmssd_ms[D1] == 40.0 and chosen.manual_rmssd_ms(D1) == 70.0


def _check(store: Store, day: date, rmssd_ms: float) -> int:
    sid = store.start_session("readiness", at(day), sensor_address="AA:BB")
    store.finish_session(sid, ended_at=at(day) + timedelta(minutes=2), duration_s=120.0)
    save_readiness_result(
        store,
        sid,
        rmssd_ms=rmssd_ms,
        mean_hr_bpm=60.0,
        artifact_pct=0.0,
        refused=None,
        analyzed_with="test",
    )
    return sid


def test_the_choice_is_stored_per_date_and_survives_editing_the_log(tmp_path: Path) -> None:
    store = open_store(tmp_path / "b.db")
    source = CachedReadinessSource(version="test")
    _check(store, D1, 40.0)
    save_day(store, LogEntry(D1.isoformat(), rmssd_ms=70.0))
    assert daily_values(store, source).rmssd_from[D1] is DaySource.MORNING_CHECK
    assert set_day_source(store, D1.isoformat(), DaySource.MANUAL)
    assert not set_day_source(store, D2.isoformat(), DaySource.MANUAL)  # no log that day
    assert day_sources(store) == {D1.isoformat(): DaySource.MANUAL}
    assert daily_values(store, source).rmssd_ms[D1] == 70.0
    save_day(store, LogEntry(D1.isoformat(), rmssd_ms=72.0, sleep=4))  # editing keeps the choice
    assert daily_values(store, source).rmssd_ms[D1] == 72.0
    set_day_source(store, D1.isoformat(), None)
    assert daily_values(store, source).rmssd_ms[D1] == 40.0
    set_day_source(store, D1.isoformat(), DaySource.MANUAL)
    delete_day(store, D1.isoformat())
    assert day_sources(store) == {}
    assert daily_values(store, source).rmssd_ms[D1] == 40.0
    store.close()


def test_trend_json_names_the_source_of_each_day(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(REST_FILE), "--kind", "readiness", "--at",
                 f"{D1.isoformat()}T07:00:00+01:00", "--db", str(db_path)])  # fmt: skip
    assert code == 0
    store = open_store(db_path)
    store.upsert_log(LogEntry(D1.isoformat(), rmssd_ms=70.0))
    store.upsert_log(LogEntry(D3.isoformat(), rmssd_ms=30.0))
    (check,) = store.sessions()
    measured = CachedReadinessSource().analyse(store, check.id).rmssd_ms
    store.close()
    capsys.readouterr()

    def rows() -> list[dict[str, object]]:
        code = main(["trend", "--json", "--db", str(db_path)])
        out, err = capsys.readouterr()
        assert (code, err) == (0, "")
        got: list[dict[str, object]] = json.loads(out)
        return got

    first = rows()
    assert [r["date"] for r in first] == [D1.isoformat(), D2.isoformat(), D3.isoformat()]
    assert [r["source"] for r in first] == ["morning_check", None, "manual"]
    assert first[0]["ln_rmssd"] == pytest.approx(math.log(measured))
    assert first[1]["ln_rmssd"] is None

    store = open_store(db_path)
    set_day_source(store, D1.isoformat(), DaySource.MANUAL)
    store.close()
    second = rows()
    assert [r["source"] for r in second] == ["manual", None, "manual"]
    assert second[0]["ln_rmssd"] == pytest.approx(math.log(70.0))


def test_the_choice_travels_through_the_json_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = open_store(tmp_path / "a.db")
    save_day(source, LogEntry(D1.isoformat(), rmssd_ms=70.0))
    save_day(source, LogEntry(D2.isoformat(), rmssd_ms=50.0))
    set_day_source(source, D1.isoformat(), DaySource.MANUAL)
    source.close()
    out = tmp_path / "all.json"
    assert main(["export", "--format", "json", "--out", str(out),
                 "--db", str(tmp_path / "a.db")]) == 0  # fmt: skip
    doc = json.loads(out.read_text())
    assert [e["value_source"] for e in doc["log"]] == ["manual", None]
    assert main(["import", str(out), "--db", str(tmp_path / "b.db")]) == 0
    copy = open_store(tmp_path / "b.db")
    assert day_sources(copy) == {D1.isoformat(): DaySource.MANUAL}
    copy.close()
    doc["log"][1]["value_source"] = "whatever"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["import", str(bad), "--db", str(tmp_path / "c.db")]) == 2
    assert "value_source" in capsys.readouterr().err
