"""A tiny driver for the crash test: the real app window with a live demo session running.

Usage: python -m tests.gui_live.drive_live_session DB_PATH
Builds the window exactly as `baseline --demo` does, opens the Live session page, starts a
session with the demo strap, prints `live session started <id>` to stderr and runs until killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.store import open_store
from app.ui.app import build_window
from app.ui.pages.live_session import LiveSessionPage


def main(db_path: str) -> int:
    app = QApplication(sys.argv[:1])
    store = open_store(Path(db_path))
    store.close_unfinished()
    window = build_window(store, demo=True)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window.show_page(LiveSessionPage.TITLE)
    page = window.stack.currentWidget()
    assert isinstance(page, LiveSessionPage)

    def start() -> None:
        page.picker.demo_button.setChecked(True)
        page.start()
        assert page.session is not None
        print(f"live session started {page.session.session_id}", file=sys.stderr, flush=True)

    window.show()
    QTimer.singleShot(0, start)
    with loop:
        loop.run_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
