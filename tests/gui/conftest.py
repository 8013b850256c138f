"""GUI test helpers: a hand-driven clock and a main window built like the app builds it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.window import MainWindow
from tests.stubs import FakeClock, build_main_window

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_window(qtbot: QtBot, clock: FakeClock, tmp_path: Path) -> WindowFactory:
    """Build a shown, active MainWindow on a store, the way app.ui.main.build_window does."""

    def build(store: Store) -> MainWindow:
        window = build_main_window(store, clock, tmp_path / "sounds").window
        qtbot.addWidget(window)
        with qtbot.waitActive(window):  # shortcuts need the active window
            window.show()
            window.activateWindow()
        return window

    return build
