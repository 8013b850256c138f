"""Status-bar notices expire: each one goes away after a few seconds, joined ones included."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.app import build_app
from app.ui.window import MainWindow
from tests.stubs import FakeClock, RecordingCuePlayer


def _window(qtbot: QtBot, store: Store, tmp_path: Path) -> MainWindow:
    ui = build_app(
        store,
        clock=FakeClock(),
        cue_player=RecordingCuePlayer(),
        pages=frozenset(),
    )
    qtbot.addWidget(ui.window)
    ui.window.show()
    return ui.window


def _expiry_timers(window: MainWindow) -> list[QTimer]:
    return [t for t in window.statusBar().findChildren(QTimer) if t.isActive()]


def test_a_notice_expires_after_five_to_eight_seconds(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    window = _window(qtbot, store, tmp_path)
    window.statusBar().clearMessage()
    window.notify("2 sessions imported.")
    assert window.statusBar().currentMessage() == "2 sessions imported."
    [timer] = _expiry_timers(window)
    assert 5_000 <= timer.interval() <= 8_000
    assert 0 < timer.remainingTime() <= 8_000
    timer.timeout.emit()  # what the timer does when its time is up
    assert window.statusBar().currentMessage() == ""


def test_a_second_notice_joins_the_first_and_restarts_the_expiry(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    window = _window(qtbot, store, tmp_path)
    window.statusBar().clearMessage()
    window.notify("Session saved.")
    window.notify("A backup was written.")
    message = window.statusBar().currentMessage()
    assert "Session saved." in message and "A backup was written." in message
    [timer] = _expiry_timers(window)
    assert timer.interval() <= 8_000
    timer.timeout.emit()
    assert window.statusBar().currentMessage() == ""
