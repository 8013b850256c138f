"""The app's composition root puts Home first, adds the Today menu and refreshes Home on saves."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.store import Store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.ui.app import build_app
from app.ui.dialogs.welcome import WelcomeDialog
from app.ui.pages.home import HOME_PAGE_NAME, HomePage


def test_build_app_starts_on_home_and_refreshes_it(store: Store, qtbot: QtBot) -> None:
    ui = build_app(store, demo=True)
    window = ui.window
    qtbot.addWidget(window)
    assert window.page_names()[0] == HOME_PAGE_NAME
    assert window.current_page_name() == HOME_PAGE_NAME
    page = ui.home
    assert isinstance(page, HomePage)
    assert window.current_page() is page
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus.index("Today") == menus.index("Help") - 1
    assert ui.today is not None
    assert ui.today.log_action.shortcut().toString() == "Ctrl+L"
    assert ui.today.check_action.shortcut().toString() == "Ctrl+M"
    assert not window.findChildren(WelcomeDialog)  # only run_gui opens the welcome
    # Any page's session_saved refreshes Home (here: the Breathe page's signal).
    save_day(store, LogEntry("2026-01-05", rmssd_ms=40.0))
    assert page.overview is not None and len(page.overview.ln_rmssd) == 0
    ui.breathe.session_saved.emit(1)
    qtbot.waitUntil(lambda: page.overview is not None and len(page.overview.ln_rmssd) == 1)


def test_the_today_menu_shows_home_first(store: Store, qtbot: QtBot) -> None:
    ui = build_app(store, demo=True)
    qtbot.addWidget(ui.window)
    assert ui.home is not None and ui.today is not None
    ui.window.show_page(ui.breathe)
    ui.today.log_action.trigger()
    assert ui.window.current_page() is ui.home
    assert ui.home.log_dialog is not None
    ui.home.log_dialog.reject()


def test_data_changes_refresh_home_and_history(
    store: Store, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui = build_app(store, demo=True)
    qtbot.addWidget(ui.window)
    assert ui.home is not None
    refreshed: list[str] = []
    monkeypatch.setattr(ui.home, "schedule_refresh", lambda *_: refreshed.append("home"))
    monkeypatch.setattr(ui.history, "refresh", lambda: refreshed.append("history"))
    with qtbot.waitSignal(ui.data_actions.data_changed):
        ui.data_actions.refresh_views()
    assert sorted(refreshed) == ["history", "home"]


def test_the_welcome_strap_answer_shows_the_live_page(store: Store, qtbot: QtBot) -> None:
    ui = build_app(store, demo=True)
    qtbot.addWidget(ui.window)
    dialog = ui.show_welcome(store)
    assert dialog is not None
    dialog.completed.emit("strap", False)
    assert ui.window.current_page() is ui.live
    dialog.reject()
