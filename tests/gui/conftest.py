"""GUI test helpers: a hand-driven clock and a main window built like the app builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store import Store, open_store
from app.ui.app import AppUi, build_app
from tests.stubs import FakeClock, RecordingCuePlayer

WindowFactory = Callable[..., AppUi]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def make_window(qtbot: QtBot, clock: FakeClock, tmp_path: Path) -> WindowFactory:
    """Build a shown window on a store through the composition root (the sensorless pages)."""

    def build(store: Store) -> AppUi:
        player = RecordingCuePlayer()
        ui = build_app(store, clock=clock, cue_player=player, pages=frozenset())
        window = ui.window
        qtbot.addWidget(window)
        with qtbot.waitActive(window):  # shortcuts need the active window
            window.show()
            window.activateWindow()
        return ui

    return build
