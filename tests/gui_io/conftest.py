"""Fixtures for the File-menu data tests: a store, a window built like the app's, sample files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store import Store, open_store
from app.ui.app import AppUi, build_app
from app.ui.dialogs.import_files import ImportDialog
from app.ui.services.sound import CuePlayer
from tests.conftest import DATA_DIR

#: A plain RR file without a start time, and an Elite HRV file that has one (in its name).
PLAIN_RR = DATA_DIR / "rr" / "rest_5min_pyhrv_short.txt"
ELITE_RAW = DATA_DIR / "formats" / "2024-03-05 07-12-30.txt"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes(range(256)) * 4)
    return path


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Callable[[Store], AppUi]:
    def build(store: Store) -> AppUi:
        player = CuePlayer()
        ui = build_app(store, clock=lambda: 1000.0, cue_player=player, pages=frozenset())
        qtbot.addWidget(ui.window)
        ui.window.show()
        return ui

    return build


def wait_read(qtbot: QtBot, dialog: ImportDialog) -> None:
    """Wait until every file in the import dialog has been read."""
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=20_000)
