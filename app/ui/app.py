"""The composition root of the desktop app: every object of the window is built and connected here.

`build_app(store, ...)` builds the settings model, the cue player, the background-task runner,
the pages (Home, Breathe, Live session, Assessment, History, Settings), the File menu's data
actions, the Today menu and the main window, and connects them through constructor arguments,
signals and callbacks. Nothing else in `app.ui` builds or finds a page: pages never look each
other up (by title, menu text or type); what one page needs from another is handed to it here.

`app.ui.main.run_gui` starts the process (QApplication, the asyncio loop, the crash handler) and
calls `build_app`; the GUI tests call it too (with a fake clock, a test cue player, a task runner
that runs at once, or only some of the optional pages).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QWidget

from app.breathing.session_timer import Clock
from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store
from app.store.settings import load_settings
from app.ui.dialogs.session_detail import SessionDetailDialog
from app.ui.dialogs.strap_doctor import StrapDoctorLauncher
from app.ui.dialogs.welcome import WelcomeDialog, maybe_show_welcome
from app.ui.pages.assessment import AssessmentPage
from app.ui.pages.breathe import BreathePage
from app.ui.pages.history import HistoryPage
from app.ui.pages.home import HOME_SHORTCUT, HomePage
from app.ui.pages.live_session import LiveSessionPage
from app.ui.pages.page import Page
from app.ui.pages.settings import SettingsPage
from app.ui.services.data_actions import DataActions
from app.ui.services.morning_reminder import MorningReminder
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.tasks import Tasks, default_runner
from app.ui.widgets.source_picker import ScanFn, SourcePicker
from app.ui.window import MainWindow
from sensors.ble import SYSTEM_BACKEND, BleBackend, scan
from sensors.doctor import DoctorLimits
from sensors.found import FoundStrap

BREATHE_SHORTCUT = "Ctrl+1"
HISTORY_SHORTCUT = "Ctrl+2"
SETTINGS_SHORTCUT = "Ctrl+3"
LIVE_SHORTCUT = "Ctrl+4"
ASSESSMENT_SHORTCUT = "Ctrl+5"


class OptionalPage(Enum):
    """Pages beyond the sensorless core (Breathe, History, Settings)."""

    HOME = "home"
    LIVE = "live"
    ASSESSMENT = "assessment"


ALL_PAGES = frozenset(OptionalPage)


@dataclass(frozen=True)
class AppUi:
    """The built desktop app: the window and everything in it that others talk to."""

    window: MainWindow
    model: SettingsModel
    cue_player: CuePlayer
    tasks: Tasks
    data_actions: DataActions
    breathe: BreathePage
    history: HistoryPage
    settings: SettingsPage
    home: HomePage | None
    live: LiveSessionPage | None
    assessment: AssessmentPage | None
    reminder: MorningReminder | None = None

    def show_welcome(self, store: Store) -> WelcomeDialog | None:
        """Open the first-start welcome (only the app's start-up does this)."""
        if self.home is None:
            return None
        live = self.live
        show_live = (lambda: self.window.show_page(live)) if live is not None else None
        return maybe_show_welcome(self.window, store, self.home, show_live)


def strap_scanner(backend: BleBackend = SYSTEM_BACKEND, seconds: float = 5.0) -> ScanFn:
    """A scan for the source picker: heart-rate straps nearby through `backend`."""

    async def scan_for_straps() -> Sequence[FoundStrap]:
        return await scan(seconds, backend)

    return scan_for_straps


def open_session_detail(
    parent: QWidget | None,
    store: Store,
    session_id: int,
    analysis: CoreAnalysis,
    tasks: Tasks | None = None,
) -> SessionDetailDialog:
    """Open the non-modal detail window of one session."""
    dialog = SessionDetailDialog(store, session_id, analysis, tasks, parent=parent)
    dialog.show()
    return dialog


def connect_strap_doctor(
    parent: QWidget,
    settings_page: SettingsPage,
    pickers: Sequence[SourcePicker] = (),
    live_pages: Sequence[LiveSessionPage] = (),
    backend: BleBackend = SYSTEM_BACKEND,
    limits: DoctorLimits | None = None,
) -> StrapDoctorLauncher:
    """Connect every "Check my strap" button (Settings, source pickers, session banners) to one
    launcher; doctor windows open over `parent`."""
    launcher = StrapDoctorLauncher(parent, backend, limits)
    settings_button = settings_page.check_strap_button
    settings_button.setEnabled(True)
    settings_button.clicked.connect(lambda: launcher.open())
    for picker in pickers:
        picker.check_strap_button.setVisible(True)
        picker.check_strap_button.clicked.connect(lambda: launcher.open())
    for page in live_pages:
        page.check_strap_requested.connect(lambda: launcher.open())
    return launcher


def build_app(
    store: Store,
    *,
    demo: bool = False,
    clock: Clock = time.monotonic,
    cue_player: CuePlayer | None = None,
    source_options: SourceOptions | None = None,
    today: Callable[[], date] = date.today,
    tasks: Tasks | None = None,
    pages: frozenset[OptionalPage] = ALL_PAGES,
) -> AppUi:
    """Build the window with its pages and connect everything."""
    model = SettingsModel(store, load_settings(store))
    cues = cue_player if cue_player is not None else CuePlayer()
    runner = tasks if tasks is not None else default_runner()
    options = source_options or SourceOptions()
    analysis = CoreAnalysis()
    window = MainWindow(store, model, cues, demo=demo)
    model.setParent(window)
    cues.setParent(window)

    breathe = BreathePage(store, model, cues, clock)
    history = HistoryPage(store, analysis, tasks=runner)
    settings = SettingsPage(model, cues)
    home = (
        HomePage(store, options, today=today, prefer_demo=demo, tasks=runner)
        if OptionalPage.HOME in pages
        else None
    )
    live = (
        LiveSessionPage(
            store,
            model,
            analysis,
            options,
            scan=strap_scanner(options.ble_backend),
            cue_player=cues,
            initial_source="demo" if demo else "last",
            tasks=runner,
        )
        if OptionalPage.LIVE in pages
        else None
    )
    assessment = (
        AssessmentPage(
            store,
            model,
            options,
            scan=strap_scanner(options.ble_backend),
            prefer_demo=demo,
            cue_player=cues,
            today=today,
        )
        if OptionalPage.ASSESSMENT in pages
        else None
    )

    # -- the navigation, in order --------------------------------------------------------------
    if home is not None:
        window.add_page(home, HOME_SHORTCUT)
    window.add_page(breathe, BREATHE_SHORTCUT)
    if live is not None:
        window.add_page(live, LIVE_SHORTCUT)
    if assessment is not None:
        window.add_page(assessment, ASSESSMENT_SHORTCUT)
    window.add_page(history, HISTORY_SHORTCUT)
    window.add_page(settings, SETTINGS_SHORTCUT)

    # -- who tells whom ----------------------------------------------------------------------------
    every_page: list[Page] = [p for p in (home, breathe, live, assessment, history, settings) if p]
    for page in (home, breathe, live, assessment, history):
        if page is not None:
            page.message.connect(window.notify)
    for saver in (breathe, live, assessment):
        if saver is None:
            continue
        saver.session_saved.connect(lambda _id: history.refresh())
        if home is not None:
            saver.session_saved.connect(home.schedule_refresh)
    if home is not None:
        home.data_changed.connect(history.refresh)
        window.add_menu(home.today_menu(window, lambda: window.show_page(home)))

    def refresh_views() -> None:
        history.refresh()
        if home is not None:
            home.schedule_refresh()
        if assessment is not None:
            assessment.refresh_past()

    def selected_session() -> int | None:
        ids = history.selected_ids()
        return ids[0] if ids else None

    data_actions = DataActions(
        window,
        store,
        window.file_menu,
        refresh_views=refresh_views,
        selected_session=selected_session,
        before=window.quit_separator,
        today=today,
    )
    data_actions.message.connect(window.notify)
    if home is not None:
        home.breathe_requested.connect(lambda: window.show_page(breathe))
        home.import_requested.connect(data_actions.choose_and_import)
        home.help_requested.connect(window.show_words)

    def open_row(index: QModelIndex) -> None:
        ids = history.session_ids()
        if 0 <= index.row() < len(ids):
            open_session_detail(window, store, ids[index.row()], analysis, runner)

    history.table.activated.connect(open_row)
    history.table.setToolTip("Double-click a session (or press Enter) to see its detail")

    connect_strap_doctor(
        window,
        settings,
        [p.picker for p in (live, assessment) if p is not None],
        [live] if live is not None else [],
        options.ble_backend,
    )

    reminder = None
    if home is not None:

        def open_check() -> None:
            window.bring_forward()
            if window.show_page(home):
                home.open_morning_check()

        reminder = MorningReminder(store, model, window, open_check, window.notify, parent=window)

    window.start()
    window.show_page(every_page[0])
    return AppUi(
        window=window,
        model=model,
        cue_player=cues,
        tasks=runner,
        data_actions=data_actions,
        breathe=breathe,
        history=history,
        settings=settings,
        home=home,
        live=live,
        assessment=assessment,
        reminder=reminder,
    )


def build_window(store: Store, *, demo: bool = False) -> MainWindow:
    """The app's window with every page (the start-up path; tests use `build_app`)."""
    return build_app(store, demo=demo).window
