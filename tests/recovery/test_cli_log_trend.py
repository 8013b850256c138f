"""`baseline log` and `baseline trend` through the real command line entry."""

from __future__ import annotations

import json
import math
import statistics
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.recovery.baseline import TREND_KEYS
from app.store import open_store
from app.store.daily import moments_of_ease
from app.store.records import LogEntry


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_log_stores_an_entry_and_moments(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "log",
        "--db",
        str(db_path),
        "--date",
        "2026-03-01",
        "--rmssd",
        "42",
        "--resting-hr",
        "58.5",
        "--sleep",
        "4",
        "--stress",
        "2",
        "--mood",
        "5",
        "--note",
        "a slow morning",
        "--ease",
        "warm tea",
        "--ease",
        "sunlight",
    )
    assert (code, err) == (0, "")
    assert out.startswith("logged 2026-03-01: RMSSD 42 ms, resting HR 58.5 bpm, sleep 4")
    store = open_store(db_path)
    assert store.log_entries() == [LogEntry("2026-03-01", 42.0, 58.5, 4, 2, 5, "a slow morning")]
    assert moments_of_ease(store, "2026-03-01") == ("warm tea", "sunlight")


def test_logging_a_date_again_replaces_the_entry(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            capsys,
            "--db",
            str(db_path),
            "log",
            "--date",
            "2026-03-01",
            "--rmssd",
            "42",
            "--mood",
            "2",
        )[0]
        == 0
    )
    assert run(capsys, "--db", str(db_path), "log", "--date", "2026-03-01", "--rmssd", "50")[0] == 0
    assert open_store(db_path).log_entries() == [LogEntry("2026-03-01", rmssd_ms=50.0)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rmssd", "501"], "RMSSD must be between 1 and 500 ms"),
        (["--rmssd", "0"], "RMSSD must be between 1 and 500 ms"),
        (["--rmssd", "abc"], "--rmssd must be a number"),
        (["--rmssd", "nan"], "--rmssd must be a finite number"),
        (["--resting-hr", "300"], "resting heart rate must be between 25 and 220 bpm"),
        (["--sleep", "6"], "sleep must be a whole number from 1 to 5"),
        (["--stress", "0"], "stress must be a whole number from 1 to 5"),
        (["--mood", "3.5"], "--mood must be a whole number from 1 to 5"),
        (["--rmssd", "40", "--sleep", "9"], "sleep must be"),
        ([], "nothing to log"),
    ],
)
def test_bad_values_exit_2_with_one_line_and_store_nothing(
    db_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(capsys, "log", "--db", str(db_path), "--date", "2026-03-01", "--rmssd", "40")[0] == 0
    code, out, err = run(capsys, "log", "--db", str(db_path), "--date", "2026-03-01", *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("baseline log: ") and message in err
    assert open_store(db_path).log_entries() == [LogEntry("2026-03-01", rmssd_ms=40.0)]


@pytest.mark.parametrize("day", ["2026-02-30", "01-03-2026", "tomorrow"])
def test_bad_dates_exit_2(db_path: Path, capsys: pytest.CaptureFixture[str], day: str) -> None:
    code, _, err = run(capsys, "log", "--db", str(db_path), "--date", day, "--rmssd", "40")
    assert code == 2 and "YYYY-MM-DD" in err


@pytest.mark.parametrize(("word", "days_ago"), [("today", 0), ("yesterday", 1), ("Today", 0)])
def test_today_and_yesterday_name_their_dates(
    db_path: Path, capsys: pytest.CaptureFixture[str], word: str, days_ago: int
) -> None:
    code, _, _ = run(capsys, "log", "--db", str(db_path), "--date", word, "--rmssd", "40")
    assert code == 0
    day = (date.today() - timedelta(days=days_ago)).isoformat()
    assert open_store(db_path).log_entries() == [LogEntry(day, rmssd_ms=40.0)]


def test_future_date_exits_2(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    future = (date.today() + timedelta(days=2)).isoformat()
    code, _, err = run(capsys, "log", "--db", str(db_path), "--date", future, "--rmssd", "40")
    assert code == 2 and "future" in err
    assert open_store(db_path).log_entries() == []


def _log_days(db_path: Path, values: dict[date, float]) -> None:
    store = open_store(db_path)
    for d, rmssd in values.items():
        store.upsert_log(LogEntry(d.isoformat(), rmssd_ms=rmssd))
    store.close()


def test_trend_json_is_the_table_with_exact_keys(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d0 = date(2026, 1, 1)
    values = {d0 + timedelta(days=i): 40.0 + (i * 7) % 11 for i in range(30) if i % 4 != 3}
    _log_days(db_path, values)
    code, out, err = run(capsys, "trend", "--json", "--db", str(db_path))
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert len(rows) == 30  # gap days included
    assert all(tuple(r) == TREND_KEYS for r in rows)
    assert [r["date"] for r in rows] == [(d0 + timedelta(days=i)).isoformat() for i in range(30)]
    assert rows[3]["ln_rmssd"] is None
    assert rows[0]["ln_rmssd"] == pytest.approx(math.log(40.0))
    last = rows[-1]
    week = [math.log(values[d]) for d in values if (d0 + timedelta(days=23)) <= d]
    assert last["baseline_7d"] == pytest.approx(statistics.mean(week))
    assert last["cv_7d_pct"] == pytest.approx(100 * statistics.stdev(week) / statistics.mean(week))
    every = [math.log(v) for v in values.values()]
    m, s = statistics.mean(every), statistics.stdev(every)
    assert last["normal_low"] == pytest.approx(m - 0.5 * s)
    assert last["normal_high"] == pytest.approx(m + 0.5 * s)
    assert last["status"] in ("below", "within", "above")

    code, out, _ = run(capsys, "trend", "--json", "--days", "5", "--db", str(db_path))
    assert code == 0
    assert json.loads(out) == rows[-5:]


def test_trend_text_and_empty_and_bad_days(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(db_path).close()  # an empty database (trend refuses a --db that names nothing)
    code, out, _ = run(capsys, "trend", "--db", str(db_path))
    assert code == 0 and "No days yet" in out
    code, out, _ = run(capsys, "trend", "--json", "--db", str(db_path))
    assert code == 0 and json.loads(out) == []
    _log_days(db_path, {date(2026, 1, 1) + timedelta(days=i): 45.0 for i in range(5)})
    code, out, _ = run(capsys, "trend", "--db", str(db_path), "--days", "2")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["date", "lnRMSSD", "7-day"]
    assert lines[1].startswith("2026-01-04")
    assert f"{math.log(45.0):.3f}" in lines[2]
    assert lines[-1] == "Not enough days yet: 9 more needed for your normal range."
    for bad in ("0", "-3", "x"):
        code, out, err = run(capsys, "trend", "--db", str(db_path), "--days", bad)
        assert code == 2 and out == "" and err.startswith("baseline trend: --days")
