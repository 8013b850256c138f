"""File > Import refuses what is not a bounded regular file, row by row, without hanging."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.dialogs.import_files import COLUMNS, ImportDialog
from tests.gui_io.conftest import PLAIN_RR, wait_read
from tests.robustness.helpers import write_gzip_bomb


def test_device_fifo_and_gzip_bomb_are_refused_in_the_preview(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    fifo = tmp_path / "beats.txt"
    os.mkfifo(fifo)
    bomb = tmp_path / "bomb.txt.gz"
    write_gzip_bomb(bomb, 1024**3)
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.add_paths([PLAIN_RR, Path("/dev/zero"), fifo, bomb])
    wait_read(qtbot, dialog)
    status = [dialog.row_texts(row)[COLUMNS.index("Status")] for row in range(4)]
    assert not status[0].startswith("cannot import")
    assert status[1].startswith("cannot import: ") and "not a regular file" in status[1]
    assert status[2].startswith("cannot import: ") and "not a regular file" in status[2]
    assert status[3].startswith("cannot import: ") and "larger than" in status[3]
