"""The main window as it is first painted: the navigation, the menus and the theme, with no page
built yet.

`build_shell(store)` reads the settings and makes the window with one `DeferredPage` per page
(its name, icon and shortcut come from `app.ui.pages.names`) and the Today menu. It imports no
page module, NumPy, pyqtgraph or Bluetooth code: the start-up shows this window first, and the
composition root (`app.ui.app.build_app`) gives each entry its builder after the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from app.store import Store
from app.store.settings import load_settings
from app.ui.pages import names
from app.ui.pages.deferred import DeferredPage
from app.ui.services.settings_model import SettingsModel
from app.ui.window import MainWindow

if TYPE_CHECKING:
    from app.ui.pages.assessment import AssessmentPage
    from app.ui.pages.breathe import BreathePage
    from app.ui.pages.history import HistoryPage
    from app.ui.pages.home import HomePage
    from app.ui.pages.live_session import LiveSessionPage
    from app.ui.pages.settings import SettingsPage


class OptionalPage(Enum):
    """Pages beyond the sensorless core (Breathe, History, Settings)."""

    HOME = "home"
    LIVE = "live"
    ASSESSMENT = "assessment"


ALL_PAGES = frozenset(OptionalPage)


class TodayMenu:
    """The Today menu: Log today and Morning check, each showing Home first (`show_home`
    returns False when the window asked to leave a running session first)."""

    def __init__(
        self, parent: QWidget, home: DeferredPage[HomePage], show_home: Callable[[], bool]
    ) -> None:
        self.menu = QMenu("&Today", parent)
        self.log_action = QAction("&Log today\u2026", parent)
        self.log_action.setShortcut(QKeySequence(names.LOG_SHORTCUT))
        self.log_action.triggered.connect(lambda: show_home() and home.get().open_log_form())
        self.check_action = QAction("&Morning check\u2026", parent)
        self.check_action.setShortcut(QKeySequence(names.CHECK_SHORTCUT))
        self.check_action.triggered.connect(lambda: show_home() and home.get().open_morning_check())
        self.menu.addAction(self.log_action)
        self.menu.addAction(self.check_action)


@dataclass(frozen=True)
class Shell:
    """The window with its navigation of pages not built yet."""

    window: MainWindow
    model: SettingsModel
    breathe: DeferredPage[BreathePage]
    history: DeferredPage[HistoryPage]
    settings: DeferredPage[SettingsPage]
    home: DeferredPage[HomePage] | None
    live: DeferredPage[LiveSessionPage] | None
    assessment: DeferredPage[AssessmentPage] | None
    today: TodayMenu | None
    first: DeferredPage[Any]

    def entries(self) -> list[DeferredPage[Any]]:
        """Every page's entry, in the navigation's order."""
        order = (self.home, self.breathe, self.live, self.assessment, self.history, self.settings)
        return [entry for entry in order if entry is not None]


def build_shell(
    store: Store,
    *,
    demo: bool = False,
    pages: frozenset[OptionalPage] = ALL_PAGES,
    first: names.PageEntry | None = None,
) -> Shell:
    """The window with its navigation, menus and theme; `first` is the page it opens on (by
    default the first in the navigation), shown as soon as it can be built."""
    model = SettingsModel(store, load_settings(store))
    window = MainWindow(store, model, demo=demo)
    model.setParent(window)
    home: DeferredPage[HomePage] | None = (
        DeferredPage(names.HOME) if OptionalPage.HOME in pages else None
    )
    breathe: DeferredPage[BreathePage] = DeferredPage(names.BREATHE)
    live: DeferredPage[LiveSessionPage] | None = (
        DeferredPage(names.LIVE) if OptionalPage.LIVE in pages else None
    )
    assessment: DeferredPage[AssessmentPage] | None = (
        DeferredPage(names.ASSESSMENT) if OptionalPage.ASSESSMENT in pages else None
    )
    history: DeferredPage[HistoryPage] = DeferredPage(names.HISTORY)
    settings: DeferredPage[SettingsPage] = DeferredPage(names.SETTINGS)
    entries: list[DeferredPage[Any]] = [
        entry for entry in (home, breathe, live, assessment, history, settings) if entry
    ]
    for entry in entries:
        window.add_page(entry, entry.entry.shortcut)
    today = None
    if home is not None:
        shown_home = home
        today = TodayMenu(window, shown_home, lambda: window.show_page(shown_home))
        window.add_menu(today.menu)
    opening = next((e for e in entries if e.entry == first), entries[0])
    window.open_on(opening)
    window.start()
    return Shell(
        window=window,
        model=model,
        breathe=breathe,
        history=history,
        settings=settings,
        home=home,
        live=live,
        assessment=assessment,
        today=today,
        first=opening,
    )
