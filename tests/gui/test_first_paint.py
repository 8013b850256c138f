"""`FirstPaint`: the moment the main window was first painted, once, from the process start."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from app.ui.startup.first_paint import FirstPaint, seconds_since_process_start


def test_the_first_paint_is_told_once_after_the_window_is_shown(qtbot: QtBot) -> None:
    window = QMainWindow()
    window.setCentralWidget(QLabel("first"))
    qtbot.addWidget(window)
    first_paint = FirstPaint(window)
    told: list[float] = []
    first_paint.painted.connect(told.append)
    qtbot.wait(50)
    assert told == []  # not shown, not painted
    before_s = seconds_since_process_start()
    with qtbot.waitSignal(first_paint.painted, timeout=5000):
        window.show()
    assert len(told) == 1
    assert first_paint.seconds == told[0]
    assert before_s <= told[0] <= seconds_since_process_start()
    window.update()
    window.repaint()
    qtbot.wait(50)
    assert len(told) == 1  # later paints are not the first


def test_the_process_start_is_before_now_and_not_long_ago() -> None:
    since_start_s = seconds_since_process_start()
    assert 0.0 < since_start_s < time.monotonic()  # the machine started before this process
    time.sleep(0.02)  # the clock's own step (10 ms), not a wait for the app
    assert seconds_since_process_start() > since_start_s


def test_waiting_for_the_first_paint_returns_once_it_was_handled(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    first_paint = FirstPaint(window)
    assert not first_paint.wait(timeout_ms=50)  # hidden: nothing to wait for
    window.show()
    assert first_paint.wait(timeout_ms=5000)
    assert first_paint.seconds is not None
    assert first_paint.wait(timeout_ms=0)  # told already
