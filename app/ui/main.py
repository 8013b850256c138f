"""Process start-up of the desktop app: the QApplication, the store, the asyncio loop, the crash
handler. Everything inside the window is built by the composition root, `app.ui.app.build_app`.

One asyncio event loop runs on the Qt main thread (qasync); the Bluetooth code shares it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import qasync
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME
from app.session.sources import SourceOptions
from app.store import Store, default_db_path, open_store
from app.store.damaged import damaged_message, is_damage
from app.store.database import DamagedDatabaseError
from app.store.migrations import SchemaTooNewError
from app.ui.app import build_app
from app.ui.services.crash_handler import CrashHandler
from sensors.simulated import FOLLOW_PACER

STARTUP_LOG_LINE = "baseline: main window shown"  # on stderr, with --verbose only
APP_ID = "org.baselineapp.Baseline"  # the desktop file and icon name used by the Linux packaging
_SOURCE_ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "baseline.svg"


def _open_store_or_explain(db_path: Path | None) -> Store | None:
    try:
        return open_store(db_path)
    except (DamagedDatabaseError, SchemaTooNewError, OSError) as exc:
        where = db_path if db_path is not None else "the default database"
        message = f"Baseline cannot open {where}: {exc}"
        if is_damage(exc):
            damaged = damaged_message(db_path or default_db_path(), exc)
            message = f"Baseline cannot open its database: {damaged}"
        print(f"baseline: {message}", file=sys.stderr)
        QMessageBox.critical(None, APP_NAME, message)
        return None


def run_gui(args: argparse.Namespace) -> int:
    """Start the desktop app and run until the window closes; returns the exit status."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    fallback = QIcon(str(_SOURCE_ICON)) if _SOURCE_ICON.is_file() else QIcon()
    app.setWindowIcon(QIcon.fromTheme(APP_ID, fallback))
    store = _open_store_or_explain(getattr(args, "db", None))
    if store is None:
        return 1
    interrupted = store.close_unfinished()
    breathing = getattr(args, "demo_breathing", FOLLOW_PACER)
    ui = build_app(
        store,
        demo=bool(getattr(args, "demo", False)),
        source_options=SourceOptions(demo_breathing=breathing),
    )
    window = ui.window
    window.notify_interrupted(len(interrupted))

    # Collect garbage only on the GUI thread: a collection that happens to run on a worker
    # thread could destroy Qt objects there ("Timers cannot be stopped from another thread").
    _gui_thread_gc = GarbageCollector(interval=1.0)  # kept alive while the loop runs
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # From here on an unexpected error is a calm message box and a local report, not a traceback.
    crash_handler = CrashHandler(store.path)
    previous_excepthook = sys.excepthook
    sys.excepthook = crash_handler.excepthook
    loop.set_exception_handler(crash_handler.loop_handler)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    window.show()
    if getattr(args, "verbose", False):
        print(STARTUP_LOG_LINE, file=sys.stderr, flush=True)
    ui.show_welcome(store)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        sys.excepthook = previous_excepthook
        store.purge_deleted()
        store.close()
    return 0
