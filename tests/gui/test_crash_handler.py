"""The desktop app's crash handler: errors in Qt slots and in the event loop become a report file,
one stderr line and one calm message, and the app keeps running."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.ui.services.crash_handler import CrashHandler


def _handler(tmp_path: Path, shown: list[str], stream: io.StringIO) -> CrashHandler:
    return CrashHandler(
        tmp_path / "baseline.db", show=shown.append, stream=stream, report_dir=tmp_path / "log"
    )


@pytest.mark.qt_no_exception_capture
def test_error_in_a_qt_slot_writes_a_report_and_shows_one_message(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    stream = io.StringIO()
    handler = _handler(tmp_path, shown, stream)
    monkeypatch.setattr(sys, "excepthook", handler.excepthook)

    def failing_slot() -> None:
        raise LookupError("no such breathing pattern")

    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: bool(handler.reports), timeout=5000)
    report = handler.reports[0]
    assert report.parent == tmp_path / "log"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "failing_slot" in report.read_text() and "LookupError" in report.read_text()
    lines = stream.getvalue().splitlines()
    assert lines == [
        f"baseline: unexpected error (LookupError: no such breathing pattern); "
        f"a crash report was written to {report}"
    ]
    assert len(shown) == 1 and str(report) in shown[0] and "never sent" in shown[0]


def test_error_in_an_event_loop_callback_is_reported(tmp_path: Path) -> None:
    shown: list[str] = []
    stream = io.StringIO()
    handler = _handler(tmp_path, shown, stream)
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(handler.loop_handler)

    def failing_callback() -> None:
        raise ZeroDivisionError("no beats in the window")

    try:
        loop.call_soon(failing_callback)
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
    assert len(handler.reports) == 1
    assert "failing_callback" in handler.reports[0].read_text()
    assert "ZeroDivisionError" in stream.getvalue() and len(shown) == 1


def test_a_damaged_database_is_named_with_the_way_out(tmp_path: Path) -> None:
    shown: list[str] = []
    stream = io.StringIO()
    handler = _handler(tmp_path, shown, stream)
    db = tmp_path / "baseline.db"
    db.write_bytes(b"\x00" * 4096 + b"not sqlite" * 100)
    try:
        sqlite3.connect(db).execute("SELECT * FROM sessions")
    except sqlite3.DatabaseError as exc:
        handler.handle(exc, "test")
    assert handler.reports == []
    assert "is damaged" in stream.getvalue() and "baseline restore" in shown[0]


def test_only_one_message_at_a_time(tmp_path: Path) -> None:
    stream = io.StringIO()
    shown: list[str] = []
    handler: CrashHandler

    def show_and_fail_again(text: str) -> None:
        shown.append(text)
        try:
            raise ValueError("second")  # another error while the first box is open
        except ValueError as exc:
            handler.handle(exc, "test")

    handler = CrashHandler(
        tmp_path / "b.db", show=show_and_fail_again, stream=stream, report_dir=tmp_path
    )
    try:
        raise ValueError("first")
    except ValueError as exc:
        handler.handle(exc, "test")
    assert len(shown) == 1 and len(handler.reports) == 2
    assert len(stream.getvalue().splitlines()) == 2
