"""No traceback ever reaches a user: closed pipes, bad bytes, damaged databases, missing --db,
and any unexpected error (one line plus a local crash report)."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from app import __version__
from app.cli import main
from app.crash_report import write_crash_report
from app.store import open_store
from app.store.records import LogEntry
from tests.conftest import DATA_DIR
from tests.robustness.helpers import ROOT, TIMEOUT_S, child_env, run_baseline

RR_FILE = DATA_DIR / "rr" / "rest_5min_pyhrv_short.txt"


def _db_with_days(path: Path, n_days: int) -> Path:
    store = open_store(path)
    start = date(2020, 1, 1)
    for i in range(n_days):
        day = (start + timedelta(days=i)).isoformat()
        store.upsert_log(LogEntry(day, rmssd_ms=40.0 + i % 9, note=f"day {i}"))
    store.close()
    return path


def _one_line(result: subprocess.CompletedProcess[str], command: str) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"baseline {command}: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# -- a closed pipe ends quietly ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["trend", "analyze"])
def test_reader_gone_before_any_output_ends_quietly(tmp_path: Path, command: str) -> None:
    db = _db_with_days(tmp_path / "b.db", 30)
    args = ["trend", "--db", str(db)] if command == "trend" else ["analyze", str(RR_FILE)]
    child = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(tmp_path),
        cwd=ROOT,
    )
    assert child.stdout is not None
    child.stdout.close()  # the reader is gone: every write is EPIPE
    _, err = child.communicate(timeout=TIMEOUT_S)
    assert err == b""
    assert child.returncode in (0, 141)


@pytest.mark.parametrize("command", ["trend", "analyze"])
def test_piped_into_head_ends_quietly(tmp_path: Path, command: str) -> None:
    db = _db_with_days(tmp_path / "b.db", 3000)  # output far beyond a pipe's buffer
    args = f"trend --db {db}" if command == "trend" else f"analyze {RR_FILE}"
    script = f"'{sys.executable}' -m app {args} | head -1; echo \"status ${{PIPESTATUS[0]}}\" >&2"
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env=child_env(tmp_path),
        cwd=ROOT,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.splitlines() in (["status 0"], ["status 141"]), result.stderr


def test_a_full_disk_is_one_line_and_no_report(tmp_path: Path) -> None:
    db = _db_with_days(tmp_path / "b.db", 30)
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "app", "trend", "--db", str(db)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(tmp_path),
            cwd=ROOT,
            timeout=TIMEOUT_S,
            check=False,
        )
    assert result.returncode == 1
    assert _one_line(result, "trend") == "baseline trend: No space left on device"
    assert not (tmp_path / "state").exists()  # not a crash: no report


def test_started_with_stdout_closed(tmp_path: Path) -> None:
    result = subprocess.run(  # `>&-`: the program starts with no stdout at all
        ["bash", "-c", 'exec "$@" >&-', "bash", sys.executable, "-m", "app", "analyze", RR_FILE],
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path),
        cwd=ROOT,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0 and result.stderr == ""


# -- bytes that are not UTF-8 ----------------------------------------------------------------------


def test_note_with_bytes_that_are_not_utf8_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    result = run_baseline(
        ["log", "--date", "2026-01-02", "--rmssd", "40", "--note", b"\xff\xfe", "--db", str(db)],
        tmp_path,
    )
    assert result.returncode == 2
    assert "--note" in _one_line(result, "log") and "UTF-8" in result.stderr
    assert not db.exists()  # nothing stored, no database made


def test_file_names_with_any_bytes_still_work(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/rr-\xff.txt"))
    odd.write_bytes(RR_FILE.read_bytes())
    result = run_baseline(["analyze", os.fsencode(odd)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("HRV report: ")


# -- a damaged database ----------------------------------------------------------------------------


def _backup(db: Path, out: Path) -> None:
    assert main(["--db", str(db), "backup", "--out", str(out)]) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["trend"],
        ["export", "--format", "json", "--out", "OUT"],
        ["backup", "--out", "OUT"],
        ["log", "--date", "2026-01-01", "--rmssd", "40"],
        ["import", str(RR_FILE)],
    ],
)
def test_random_bytes_database_says_damaged_and_names_the_backup(
    tmp_path: Path, args: list[str]
) -> None:
    good = _db_with_days(tmp_path / "good.db", 5)
    folder = tmp_path / "data"
    folder.mkdir()
    _backup(good, folder / "baseline-backup.db")
    db = folder / "baseline.db"
    content = random.Random(13).randbytes(100_000)
    db.write_bytes(content)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run_baseline([*args, "--db", str(db)], tmp_path)
    assert result.returncode == 2
    line = _one_line(result, args[0])
    assert "is damaged" in line and "baseline restore" in line
    assert str(folder / "baseline-backup.db") in line
    assert db.read_bytes() == content  # left as it was
    assert not (tmp_path / "out").exists()


def test_truncated_database_says_damaged_without_a_backup(tmp_path: Path) -> None:
    db = _db_with_days(tmp_path / "baseline.db", 2000)
    size = db.stat().st_size
    assert size > 64 * 1024
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    for args in (["trend"], ["export", "--format", "csv", "--out", str(tmp_path / "csv")]):
        result = run_baseline([*args, "--db", str(db)], tmp_path)
        assert result.returncode == 2
        line = _one_line(result, args[0])
        assert "is damaged" in line and "no backup was found" in line


def test_a_damaged_backup_is_not_offered(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    folder = tmp_path / "data"
    folder.mkdir()
    older = folder / "older-backup.db"
    _backup(_db_with_days(sources / "good.db", 5), older)
    os.utime(older, (1_600_000_000, 1_600_000_000))
    newer_but_broken = folder / "newer-backup.db"
    _backup(_db_with_days(sources / "big.db", 2000), newer_but_broken)
    with newer_but_broken.open("r+b") as handle:
        handle.truncate(newer_but_broken.stat().st_size // 2)
    db = folder / "baseline.db"
    db.write_bytes(b"not a database at all" * 100)
    result = run_baseline(["trend", "--db", str(db)], tmp_path)
    line = _one_line(result, "trend")
    assert str(older) in line and str(newer_but_broken) not in line


# -- --db naming nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["trend"], ["export", "--format", "json", "--out", "OUT"], ["backup", "--out", "OUT"]],
)
@pytest.mark.parametrize("missing", ["no-such-folder/baseline.db", "no-such-file.db"])
def test_read_only_commands_refuse_a_db_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], missing: str
) -> None:
    db = tmp_path / missing
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    assert main([*args, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"baseline {args[0]}: no database at")
    assert (not db.exists() and not db.parent.exists()) or db.parent == tmp_path
    assert not db.exists() and not (tmp_path / "out").exists()


def test_writers_may_create_the_database(tmp_path: Path) -> None:
    db = tmp_path / "new-folder" / "baseline.db"
    assert main(["log", "--date", "2026-01-01", "--rmssd", "40", "--db", str(db)]) == 0
    assert db.is_file()
    assert main(["trend", "--db", str(db)]) == 0


# -- any other error: one line and a crash report -------------------------------------------------

_FAILING_TREND = (
    "import sys\n"
    "import app.commands.trend as trend\n"
    "def broken_table(values):\n"
    "    return {}['no such day']\n"
    "trend.ln_rmssd_table = broken_table\n"
    "from app.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def test_unexpected_error_is_one_line_and_a_private_crash_report(tmp_path: Path) -> None:
    db = _db_with_days(tmp_path / "b.db", 3)
    result = subprocess.run(
        [sys.executable, "-c", _FAILING_TREND, "trend", "--db", str(db)],
        capture_output=True,
        text=True,
        env=child_env(tmp_path),
        cwd=ROOT,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 1
    line = _one_line(result, "trend")
    assert "unexpected error (KeyError: 'no such day')" in line
    report = Path(line.rsplit("a crash report was written to ", 1)[1])
    assert report.parent == tmp_path / "state" / "Baseline" / "log"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "Traceback (most recent call last)" in text and "broken_table" in text
    assert f"version: {__version__}" in text and "platform: " in text
    assert str(db) not in text  # argument values are not written


def test_crash_report_falls_back_beside_the_database(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        report = write_crash_report(
            exc, where="test", directory=not_a_folder / "log", beside=tmp_path / "db"
        )
    assert report is not None and report.parent == tmp_path / "db"
    assert "RuntimeError: boom" in report.read_text()
