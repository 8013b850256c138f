"""GUI test helpers: a hand-driven clock and a main window built like the app builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.breathing import Cue
from app.store import Store, open_store
from app.ui.app import AppUi, build_app
from app.ui.services.sound import CuePlayer


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start_s: float = 5000.0) -> None:
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


class RecordingCuePlayer(CuePlayer):
    """The real player (silent without an audio device) that also records every cue asked for."""

    def __init__(self, sound_dir: Path) -> None:
        super().__init__(sound_dir)
        self.cues: list[Cue] = []

    def play_cue(self, cue: Cue) -> str | None:
        self.cues.append(cue)
        return super().play_cue(cue)


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
        player = RecordingCuePlayer(tmp_path / "sounds")
        ui = build_app(store, clock=clock, cue_player=player, pages=frozenset())
        window = ui.window
        qtbot.addWidget(window)
        with qtbot.waitActive(window):  # shortcuts need the active window
            window.show()
            window.activateWindow()
        return ui

    return build
