"""The app's composition root puts Home first, adds the Today menu and refreshes Home on saves."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.store import Store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.ui.dialogs.welcome import WelcomeDialog
from app.ui.main import build_window
from app.ui.pages.home import HOME_PAGE_NAME, HomePage, home_page_of


def test_build_window_starts_on_home_and_refreshes_it(store: Store, qtbot: QtBot) -> None:
    window = build_window(store, demo=True)
    qtbot.addWidget(window)
    assert window.page_names()[0] == HOME_PAGE_NAME
    assert window.current_page_name() == HOME_PAGE_NAME
    page = home_page_of(window)
    assert isinstance(page, HomePage)
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus.index("Today") == menus.index("Help") - 1
    assert page.log_action is not None and page.check_action is not None
    assert page.log_action.shortcut().toString() == "Ctrl+L"
    assert not window.findChildren(WelcomeDialog)  # only run_gui opens the welcome
    # Any page's session_saved refreshes Home (here: the Breathe page's signal).
    save_day(store, LogEntry("2026-01-05", rmssd_ms=40.0))
    assert page.overview is not None and len(page.overview.ln_rmssd) == 0
    window.breathe_page.session_saved.emit(1)
    qtbot.waitUntil(lambda: page.overview is not None and len(page.overview.ln_rmssd) == 1)
