"""Every way in holds values to the limits of `app.store.validation`.

Through the real `baseline import` / `baseline log` commands (in-process) and the store: a value
outside a limit is refused with one line naming the file, the field and the value, exit 2, and
nothing of the batch is stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.formats.recording import ImportedDailyValues
from app.formats.registry import read_source
from app.formats.source import HEAD_BYTES, Source
from app.store import Store, open_store
from app.store.validation import (
    LimitError,
    SessionKind,
    SessionStatus,
    check_beat_count,
    check_day,
    check_heart_rate,
    check_kind,
    check_moment,
    check_rmssd,
    check_status,
    is_showable_moment,
)
from tests.conftest import DATA_DIR

FIXTURES = DATA_DIR / "formats"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# -- the limits themselves --
def test_moment_limits() -> None:
    check_moment("start", datetime(2000, 1, 1, tzinfo=UTC), now=NOW)
    check_moment("start", NOW + timedelta(days=1), now=NOW)
    for bad in (
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        NOW + timedelta(days=1, seconds=1),
        datetime.fromisoformat("0001-01-01T00:00+14:00"),
        datetime.fromisoformat("9999-12-31T23:59-14:00"),
        datetime(9999, 12, 31, 23, 59),
    ):
        with pytest.raises(LimitError, match=r"start .* is outside 2000-01-01"):
            check_moment("start", bad, now=NOW)
        assert not is_showable_moment(bad, now=NOW)


def test_value_limits() -> None:
    today = date(2026, 6, 1)
    assert check_day("date", date(2026, 6, 2), today=today) == date(2026, 6, 2)
    with pytest.raises(LimitError, match="date 2026-06-03 is outside 2000-01-01 to 2026-06-02"):
        check_day("date", date(2026, 6, 3), today=today)
    with pytest.raises(LimitError, match="date 1999-12-31"):
        check_day("date", date(1999, 12, 31), today=today)
    assert check_heart_rate("hr", 20) == 20 and check_heart_rate("hr", 250) == 250
    for bpm in (19.9, 250.1, float("nan")):
        with pytest.raises(LimitError, match="outside 20-250 bpm"):
            check_heart_rate("hr", bpm)
    assert check_rmssd("rmssd", 1) == 1 and check_rmssd("rmssd", 500) == 500
    for ms in (0.9, 500.5, float("inf")):
        with pytest.raises(LimitError, match="outside 1-500 ms"):
            check_rmssd("rmssd", ms)
    assert check_kind("breathing") is SessionKind.BREATHING
    assert check_status("interrupted") is SessionStatus.INTERRUPTED
    with pytest.raises(LimitError, match="kind 'nap' is not one of readiness, breathing"):
        check_kind("nap")
    with pytest.raises(LimitError, match="status 'lost' is not one of active, complete"):
        check_status("lost")
    assert check_beat_count(30) == 30
    with pytest.raises(LimitError, match="only 29 beats; a recording needs at least 30"):
        check_beat_count(29)


# -- helpers --
@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


def counts(store: Store) -> tuple[int, int, int]:
    conn = store.conn
    return (
        conn.execute("SELECT count(*) FROM sessions").fetchone()[0],
        conn.execute("SELECT count(*) FROM beats").fetchone()[0],
        conn.execute("SELECT count(*) FROM daily_log").fetchone()[0],
    )


def run(db_path: Path, *args: str) -> int:
    return main(["--db", str(db_path), *args])


def refused(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def plain_file(tmp_path: Path, values: list[float], name: str = "rr.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(f"{v:g}" for v in values) + "\n")
    return path


def session(i: int, **changes: Any) -> dict[str, Any]:
    started = datetime(2024, 3, 5, 7, 0, tzinfo=UTC) + timedelta(days=i)
    doc: dict[str, Any] = {
        "id": i,
        "kind": "readiness",
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(seconds=40)).isoformat(),
        "status": "complete",
        "beats": [
            {"t_ms": 800.0 * (n + 1), "rr_ms": 800.0, "artifact": False, "gap_before": False}
            for n in range(40)
        ],
        "heart_rate": [{"t_ms": 800.0, "bpm": 72, "contact": True}],
    }
    doc.update(changes)
    return doc


def export_file(tmp_path: Path, sessions: list[dict[str, Any]], **top: Any) -> Path:
    doc: dict[str, Any] = {"format": "baseline-export", "version": 1, "sessions": sessions}
    doc.update(top)
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    return path


# -- import --at --
@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00+14:00", "9999-12-31T23:59", "1999-12-31T12:00+00:00"]
)
def test_at_out_of_range_is_refused(
    db_path: Path, tmp_path: Path, store: Store, at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rr = plain_file(tmp_path, [800.0] * 40)
    assert run(db_path, "import", str(rr), "--at", at) == 2
    line = refused(capsys)
    assert "--at" in line and "is outside 2000-01-01 to now plus one day" in line
    assert counts(store) == (0, 0, 0)


def test_at_in_range_is_the_start(db_path: Path, tmp_path: Path, store: Store) -> None:
    rr = plain_file(tmp_path, [800.0] * 40)
    assert run(db_path, "import", str(rr), "--at", "2000-01-01T00:00+00:00") == 0
    (record,) = store.sessions()
    assert record.started_at == datetime(2000, 1, 1, tzinfo=UTC)


def test_a_file_dated_before_2000_needs_at(
    db_path: Path, tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    good = plain_file(tmp_path, [800.0] * 40, "good.txt")
    old = plain_file(tmp_path, [800.0] * 40 + [810.0], "old.txt")
    os.utime(old, (315532800, 315532800))  # 1980-01-01: a file without a start, dated 1980
    assert run(db_path, "import", str(good), str(old)) == 2
    line = refused(capsys)
    assert "old.txt" in line and "is outside 2000-01-01 to now plus one day" in line
    assert "--at" in line
    assert counts(store) == (0, 0, 0)  # the good file of the batch is not stored either
    assert run(db_path, "import", str(old), "--at", "2024-03-05T07:00+00:00") == 0


# -- RR files --
def test_one_beat_file_is_refused(
    db_path: Path, tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    rr = plain_file(tmp_path, [800.0])
    assert run(db_path, "import", str(rr), "--at", "2024-03-05T07:00+00:00") == 2
    line = refused(capsys)
    assert line.endswith(
        "rr.txt: no known format; as plain RR text: only 1 beat in range"
        " (200-3000 ms); a recording needs at least 30"
    )
    assert counts(store) == (0, 0, 0)


def test_thirty_beats_are_needed(
    db_path: Path, tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    # 29 beats and one value that is not a beat: still too few.
    short = plain_file(tmp_path, [800.0] * 29 + [150.0], "short.txt")
    assert run(db_path, "import", str(short), "--at", "2024-03-05T07:00+00:00") == 2
    assert "only 29 beats in range" in refused(capsys)
    enough = plain_file(tmp_path, [800.0] * 30, "enough.txt")
    assert run(db_path, "import", str(enough), "--at", "2024-03-05T07:00+00:00") == 0
    assert counts(store)[:2] == (1, 30)


def test_values_outside_the_beat_range_are_gaps_never_beats(
    db_path: Path, tmp_path: Path, store: Store
) -> None:
    values = [800.0] * 20 + [150.0, 199.9, 3000.5, 1_000_000.0] + [800.0] * 20
    rr = plain_file(tmp_path, values)
    assert run(db_path, "import", str(rr), "--at", "2024-03-05T07:00+00:00") == 0
    (record,) = store.sessions()
    beats = store.beats(record.id)
    assert len(beats) == 40
    assert all(200 <= b.rr_ms <= 3000 for b in beats)
    assert [i for i, b in enumerate(beats) if b.gap_before] == [20]


def test_a_bad_file_in_a_batch_stores_nothing(
    db_path: Path, tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    good = plain_file(tmp_path, [800.0] * 40, "good.txt")
    bad = export_file(tmp_path, [session(1), session(2), session(3, status="lost")])
    assert run(db_path, "import", str(good), str(bad), "--at", "2024-03-05T07:00+00:00") == 2
    line = refused(capsys)
    assert line.endswith(
        "x.json: baseline-export: session 3: status 'lost' is not one of"
        " active, complete, interrupted"
    )
    assert counts(store) == (0, 0, 0)


def test_start_in_the_file_is_held_to_the_limits(tmp_path: Path) -> None:
    # Empatica IBI: the first line is the unix start time (here in 1973).
    data = b"100000000.0, IBI\n" + b"".join(b"%g,0.8\n" % (0.8 * (i + 1)) for i in range(40))
    with pytest.raises(ValueError, match=r"start .* is outside 2000-01-01"):
        read_source(Source("IBI.csv", data))


# -- Baseline JSON --
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"beat_rr": -5}, "session 3: rr_ms -5 is outside 200-3000 ms (beat 2)"),
        ({"beat_rr": 1_000_000}, "session 3: rr_ms 1e+06 is outside 200-3000 ms (beat 2)"),
        ({"status": "lost"}, "session 3: status 'lost' is not one of"),
        ({"kind": "nap"}, "session 3: kind 'nap' is not one of"),
        (
            {"started_at": "0001-01-01T00:00:00+14:00"},
            "session 3: started_at 0001-01-01T00:00:00+14:00 is outside 2000-01-01",
        ),
        (
            {"ended_at": "9999-12-31T23:59:00+00:00"},
            "session 3: ended_at 9999-12-31T23:59:00+00:00 is outside 2000-01-01",
        ),
        (
            {"heart_rate": [{"t_ms": 800.0, "bpm": 400, "contact": True}]},
            "session 3: heart rate 400 is outside 20-250 bpm",
        ),
    ],
)
def test_baseline_json_refusals(
    db_path: Path,
    tmp_path: Path,
    store: Store,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, Any],
    message: str,
) -> None:
    third = session(3)
    if "beat_rr" in changes:
        third["beats"][1]["rr_ms"] = changes.pop("beat_rr")
    third.update(changes)
    path = export_file(tmp_path, [session(1), session(2), third])
    assert run(db_path, "import", str(path)) == 2
    line = refused(capsys)
    assert line.startswith("baseline import: ") and f"x.json: baseline-export: {message}" in line
    assert counts(store) == (0, 0, 0)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"date": "1999-12-31", "rmssd_ms": 40.0}, "log entry 1: date 1999-12-31 is outside"),
        ({"date": "2024-03-05", "rmssd_ms": 900.0}, "log entry 1: rmssd_ms 900 is outside 1-500"),
        (
            {"date": "2024-03-05", "resting_hr_bpm": 5.0},
            "log entry 1: resting_hr_bpm 5 is outside 20-250",
        ),
        ({"date": "2024-03-05", "mood": 9}, "log entry 1: mood 9 is outside 1-5"),
    ],
)
def test_baseline_json_log_refusals(
    db_path: Path,
    tmp_path: Path,
    store: Store,
    capsys: pytest.CaptureFixture[str],
    entry: dict[str, Any],
    message: str,
) -> None:
    path = export_file(tmp_path, [session(1)], log=[entry])
    assert run(db_path, "import", str(path)) == 2
    assert message in refused(capsys)
    assert counts(store) == (0, 0, 0)


def test_baseline_json_keeps_flagged_artifacts_and_short_sessions(
    db_path: Path, tmp_path: Path, store: Store
) -> None:
    first = session(1)
    first["beats"][5].update(rr_ms=150.0, artifact=True)
    # A morning check stopped after a few beats is still part of the history.
    second = session(2, status="interrupted", beats=session(2)["beats"][:3])
    assert run(db_path, "import", str(export_file(tmp_path, [first, second]))) == 0
    by_status = {s.status: s for s in store.sessions()}
    beats = store.beats(by_status[SessionStatus.COMPLETE].id)
    assert (beats[5].rr_ms, beats[5].artifact) == (150.0, True)
    assert all(200 <= b.rr_ms <= 3000 for b in beats if not b.artifact)
    assert len(store.beats(by_status[SessionStatus.INTERRUPTED].id)) == 3


# -- summary exports --
ELITE_HEADER = (
    "Member,Type,Position,Breathing Pattern,Date Time Start,Date Time End,Duration,Tags,Notes,"
    "Value 1,Value 2,Value 3,HRV,Morning Readiness,Balance,HRV CV,HR,lnRmssd,Rmssd,Nn50,Pnn50,"
    "Sdnn,Low Frequency Power,High Frequency Power,LF/HF Ratio,Total Power"
)


def elite_row(day: date, rmssd: str = "48.2", hr: str = "58", member: str = "Zoë Müller") -> str:
    return (
        f"{member},Morning Readiness,Lying,,{day} 07:10:02,{day} 07:12:02,120,,,,,,62,7,,,"
        f"{hr},3.875,{rmssd},10,12.5,61.0,800,900,0.9,2000"
    )


def elite_file(rows: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([ELITE_HEADER, *rows]) + "\r\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_elite_readings_with_a_bom_are_imported(
    db_path: Path, tmp_path: Path, store: Store, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "readings.csv"
    path.write_bytes(
        elite_file([elite_row(date(2024, 3, 4)), elite_row(date(2024, 3, 5))], encoding)
    )
    assert path.read_bytes()[:2] in (b"\xef\xbb", b"\xff\xfe")
    assert run(db_path, "import", str(path)) == 0
    assert "elite-hrv-readings, 2 days: imported" in capsys.readouterr().out
    assert [(e.date, e.rmssd_ms, e.resting_hr_bpm) for e in store.log_entries()] == [
        ("2024-03-04", 48.2, 58.0),
        ("2024-03-05", 48.2, 58.0),
    ]


def test_a_character_cut_at_the_end_of_the_head_does_not_hide_the_format() -> None:
    """A long export with accented names: its first 64 KiB may end inside a character."""
    name = "Zoë Brontë-Ångström Müller Ærøskøbing Łódź"
    rows = [elite_row(date(2020, 1, 1) + timedelta(days=i), member=name) for i in range(400)]
    tried = []
    for shift in range(300):
        data = elite_file([elite_row(date(2019, 12, 31), member="x" * shift), *rows])
        assert len(data) > HEAD_BYTES
        try:
            data[:HEAD_BYTES].decode("utf-8-sig")
        except UnicodeDecodeError:
            tried.append(data)
            break
    assert tried, "no head ended inside a character"
    values = read_source(Source("readings.csv", tried[0]))
    assert isinstance(values, ImportedDailyValues)
    assert values.format == "elite-hrv-readings" and len(values.days) == 401


def test_summary_values_outside_the_limits() -> None:
    rows = [
        elite_row(date(2024, 3, 4), rmssd="900", hr="58"),
        elite_row(date(2024, 3, 5), rmssd="40", hr="300"),
        elite_row(date(2024, 3, 6), rmssd="0.5", hr="10"),
    ]
    values = read_source(Source("readings.csv", elite_file(rows)))
    assert isinstance(values, ImportedDailyValues)
    # Not values: left out; the day keeps what is left (SDNN 61 ms on the last day).
    assert [(d.date.isoformat(), d.rmssd_ms, d.resting_hr_bpm, d.sdnn_ms) for d in values.days] == [
        ("2024-03-04", None, 58.0, 61.0),
        ("2024-03-05", 40.0, None, 61.0),
        ("2024-03-06", None, None, 61.0),
    ]
    with pytest.raises(ValueError, match="date 1999-03-04 is outside 2000-01-01"):
        read_source(Source("readings.csv", elite_file([elite_row(date(1999, 3, 4))])))


# -- baseline log --
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "1999-12-31", "--rmssd", "40"], "date 1999-12-31 is before 2000-01-01"),
        (["--date", "0001-01-01", "--mood", "3"], "date 0001-01-01 is before 2000-01-01"),
        (["--date", "2024-03-05", "--rmssd", "-5"], "RMSSD must be between 1 and 500 ms"),
        (["--date", "2024-03-05", "--resting-hr", "1000"], "resting heart rate must be between"),
    ],
)
def test_log_refusals(
    db_path: Path, store: Store, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(db_path, "log", *args) == 2
    assert message in refused(capsys)
    assert counts(store) == (0, 0, 0)


def test_log_on_the_first_day(db_path: Path, store: Store) -> None:
    assert run(db_path, "log", "--date", "2000-01-01", "--rmssd", "40") == 0
    assert [e.date for e in store.log_entries()] == ["2000-01-01"]


def test_an_exported_simulated_flag_survives_the_import(
    db_path: Path, tmp_path: Path, store: Store
) -> None:
    # No demo address to recognise it by: only the export's own flag says it is practice.
    doc = export_file(tmp_path, [session(1, simulated=True), session(2)])
    assert run(db_path, "import", str(doc)) == 0
    flags = sorted((s.started_at, s.simulated) for s in store.sessions())
    assert [simulated for _started, simulated in flags] == [True, False]
