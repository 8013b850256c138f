"""Fixtures for the File-menu data tests: a store, a window built like the app's, sample files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.dialogs.import_files import ImportDialog
from app.ui.window import MainWindow
from tests.conftest import DATA_DIR
from tests.stubs import FakeClock, build_main_window

#: A plain RR file without a start time, and an Elite HRV file that has one (in its name).
PLAIN_RR = DATA_DIR / "rr" / "rest_5min_pyhrv_short.txt"
ELITE_RAW = DATA_DIR / "formats" / "2024-03-05 07-12-30.txt"


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes(range(256)) * 4)
    return path


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Callable[[Store], MainWindow]:
    def build(store: Store) -> MainWindow:
        window = build_main_window(store, FakeClock(1000.0), tmp_path / "sounds").window
        qtbot.addWidget(window)
        window.show()
        return window

    return build


def wait_read(qtbot: QtBot, dialog: ImportDialog) -> None:
    """Wait until every file in the import dialog has been read."""
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=20_000)
