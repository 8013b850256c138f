"""Plugs the live session page (and the session detail view) into the main window.

Called once by the composition root (`app.ui.main.build_window`). Everything the page needs is
built here and passed in: the analysis core adapter, how sources are built, the Bluetooth scan.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QWidget

from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store
from app.ui.dialogs.session_detail import SessionDetailDialog
from app.ui.pages.live_session import LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from app.ui.widgets.close_watcher import call_on_close
from app.ui.widgets.source_picker import ScanFn
from app.ui.window import MainWindow
from sensors.ble import SYSTEM_BACKEND, BleBackend, scan
from sensors.found import FoundStrap

PAGE_NAME = "Live session"


def strap_scanner(backend: BleBackend = SYSTEM_BACKEND, seconds: float = 5.0) -> ScanFn:
    """A scan for the source picker: heart-rate straps nearby through `backend`."""

    async def scan_for_straps() -> Sequence[FoundStrap]:
        return await scan(seconds, backend)

    return scan_for_straps


def install_live_session(
    window: MainWindow,
    store: Store,
    model: SettingsModel,
    cue_player: object | None,
    *,
    demo: bool = False,
    source_options: SourceOptions | None = None,
    shortcut: str = "Ctrl+4",
) -> LiveSessionPage:
    """Add the "Live session" page to `window`, after the Breathe page."""
    options = source_options or SourceOptions()
    analysis = CoreAnalysis()
    page = LiveSessionPage(
        store,
        model,
        analysis,
        options,
        scan=strap_scanner(options.ble_backend),
        cue_player=cue_player,
        initial_source="demo" if demo else "last",
    )
    names = window.page_names()
    position = names.index("Breathe") + 1 if "Breathe" in names else -1
    window.add_page(PAGE_NAME, page, shortcut, position=position)
    page.session_saved.connect(lambda _id: window.history_page.refresh())
    page.message.connect(window.notify)
    call_on_close(window, page.shutdown)
    install_session_detail(window, store, analysis)
    return page


def install_session_detail(window: MainWindow, store: Store, analysis: CoreAnalysis) -> None:
    """Double-click or Enter on a History row opens that session's detail window."""
    history = window.history_page

    def open_row(index: QModelIndex) -> None:
        ids = history.session_ids()
        if 0 <= index.row() < len(ids):
            open_session_detail(window, store, ids[index.row()], analysis)

    history.table.activated.connect(open_row)
    history.table.setToolTip("Double-click a session (or press Enter) to see its detail")


def open_session_detail(
    parent: QWidget, store: Store, session_id: int, analysis: CoreAnalysis
) -> SessionDetailDialog:
    """Open the non-modal detail window of one session."""
    dialog = SessionDetailDialog(store, session_id, analysis, parent=parent)
    dialog.show()
    return dialog
