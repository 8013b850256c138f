"""The composition root of the desktop app: every object of the window is built and connected here.

`build_app(store, ...)` takes the window of `app.ui.shell.build_shell` (its navigation of pages
not built yet) and builds the settings model's cue player, the background-task runner, the File
menu's data actions, the strap doctor and the morning reminder, and gives every page (Home,
Breathe, Live session, Assessment, History, Settings) its builder and its connections through
constructor arguments, signals and callbacks. Nothing else in `app.ui` builds or finds a page:
pages never look each other up (by title, menu text or type); what one page needs from another
is handed to it here, once both exist (`DeferredPage.on_built`).

By default every page is built at once (the tests, the benchmarks). `lazy=True` builds only the
page the window opens on; the others are built when first shown, so the start-up imports and
builds only what the screen on show needs. A page's module is imported by its builder.

`app.ui.main.run_gui` starts the process (QApplication, the shell, its first paint, then this,
the asyncio loop, the crash handler); the GUI tests call `build_app` too (with a fake clock, a
test cue player, a task runner that runs at once, or only some of the optional pages).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QWidget

from app.store import Store
from app.ui.pages import names
from app.ui.pages.deferred import DeferredPage
from app.ui.shell import ALL_PAGES as ALL_PAGES
from app.ui.shell import OptionalPage as OptionalPage
from app.ui.shell import Shell, TodayMenu, build_shell
from app.ui.tasks import Tasks, default_runner
from app.ui.window import MainWindow
from sensors.ble_backend import SYSTEM_BACKEND, BleBackend
from sensors.found import FoundStrap

if TYPE_CHECKING:
    from app.breathing.session_timer import Clock
    from app.session.core_metrics import CoreAnalysis
    from app.session.sources import SourceOptions
    from app.ui.dialogs.session_detail import SessionDetailDialog
    from app.ui.dialogs.strap_doctor import StrapDoctorLauncher
    from app.ui.dialogs.welcome import WelcomeDialog
    from app.ui.pages.assessment import AssessmentPage
    from app.ui.pages.breathe import BreathePage
    from app.ui.pages.history import HistoryPage
    from app.ui.pages.home import HomePage
    from app.ui.pages.live_session import LiveSessionPage
    from app.ui.pages.settings import SettingsPage
    from app.ui.services.data_actions import DataActions
    from app.ui.services.morning_reminder import MorningReminder
    from app.ui.services.settings_model import SettingsModel
    from app.ui.services.sound import CuePlayer
    from app.ui.widgets.source_picker import ScanFn, SourcePicker
    from sensors.doctor_findings import DoctorLimits

BREATHE_SHORTCUT = names.BREATHE.shortcut
HISTORY_SHORTCUT = names.HISTORY.shortcut
SETTINGS_SHORTCUT = names.SETTINGS.shortcut
LIVE_SHORTCUT = names.LIVE.shortcut
ASSESSMENT_SHORTCUT = names.ASSESSMENT.shortcut


@dataclass(frozen=True)
class AppUi:
    """The built desktop app: the window and everything in it that others talk to.

    A page is reached through its entry (`breathe_page`, ...: `.built` is the page once it has
    been built) or through its property (`breathe`, ...), which builds it if need be.
    """

    window: MainWindow
    model: SettingsModel
    cue_player: CuePlayer
    tasks: Tasks
    data_actions: DataActions
    breathe_page: DeferredPage[BreathePage]
    history_page: DeferredPage[HistoryPage]
    settings_page: DeferredPage[SettingsPage]
    home_page: DeferredPage[HomePage] | None
    live_page: DeferredPage[LiveSessionPage] | None
    assessment_page: DeferredPage[AssessmentPage] | None
    today: TodayMenu | None = None
    reminder: MorningReminder | None = None

    @property
    def breathe(self) -> BreathePage:
        return self.breathe_page.get()

    @property
    def history(self) -> HistoryPage:
        return self.history_page.get()

    @property
    def settings(self) -> SettingsPage:
        return self.settings_page.get()

    @property
    def home(self) -> HomePage | None:
        return None if self.home_page is None else self.home_page.get()

    @property
    def live(self) -> LiveSessionPage | None:
        return None if self.live_page is None else self.live_page.get()

    @property
    def assessment(self) -> AssessmentPage | None:
        return None if self.assessment_page is None else self.assessment_page.get()

    def show_welcome(self, store: Store) -> WelcomeDialog | None:
        """Open the first-start welcome (only the app's start-up does this)."""
        if self.home_page is None:
            return None
        from app.ui.dialogs.welcome import maybe_show_welcome, welcome_needed

        if not welcome_needed(store):
            return None
        live = self.live_page
        show_live = (lambda: self.window.show_page(live)) if live is not None else None
        return maybe_show_welcome(self.window, store, self.home_page.get(), show_live)


def strap_scanner(backend: BleBackend = SYSTEM_BACKEND, seconds: float = 5.0) -> ScanFn:
    """A scan for the source picker: heart-rate straps nearby through `backend`."""

    async def scan_for_straps() -> Sequence[FoundStrap]:
        from sensors.ble import scan  # loads bleak: only when the user looks for a strap

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
    from app.ui.dialogs.session_detail import SessionDetailDialog

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
    from app.ui.dialogs.strap_doctor import StrapDoctorLauncher

    launcher = StrapDoctorLauncher(parent, backend, limits)
    _doctor_from_settings(launcher, settings_page)
    for picker in pickers:
        _doctor_from_picker(launcher, picker)
    for page in live_pages:
        page.check_strap_requested.connect(lambda: launcher.open())
    return launcher


def _doctor_from_settings(launcher: StrapDoctorLauncher, settings_page: SettingsPage) -> None:
    settings_button = settings_page.check_strap_button
    settings_button.setEnabled(True)
    settings_button.clicked.connect(lambda: launcher.open())


def _doctor_from_picker(launcher: StrapDoctorLauncher, picker: SourcePicker) -> None:
    picker.check_strap_button.setVisible(True)
    picker.check_strap_button.clicked.connect(lambda: launcher.open())


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
    shell: Shell | None = None,
    lazy: bool = False,
) -> AppUi:
    """Build the window with its pages (all of them, or with `lazy` the one it opens on) and
    connect everything; `shell` is the window already shown, else one is made."""
    from app.session.core_metrics import CoreAnalysis
    from app.session.sources import SourceOptions
    from app.ui.dialogs.strap_doctor import StrapDoctorLauncher
    from app.ui.services.data_actions import DataActions
    from app.ui.services.morning_reminder import MorningReminder
    from app.ui.services.sound import CuePlayer

    if shell is None:
        shell = build_shell(store, demo=demo, pages=pages)
    window = shell.window
    model = shell.model
    cues = cue_player if cue_player is not None else CuePlayer()
    cues.setParent(window)
    window.set_cue_player(cues)
    runner = tasks if tasks is not None else default_runner()
    options = source_options or SourceOptions()
    analysis = CoreAnalysis()
    home, breathe, live = shell.home, shell.breathe, shell.live
    assessment, history, settings = shell.assessment, shell.history, shell.settings

    # -- how each page is built ------------------------------------------------------------------
    def build_breathe() -> BreathePage:
        from app.ui.pages.breathe import BreathePage

        return BreathePage(store, model, cues, clock)

    def build_history() -> HistoryPage:
        from app.ui.pages.history import HistoryPage

        return HistoryPage(store, analysis, tasks=runner)

    def build_settings() -> SettingsPage:
        from app.ui.pages.settings import SettingsPage

        return SettingsPage(model, cues)

    def build_home() -> HomePage:
        from app.ui.pages.home import HomePage

        return HomePage(store, options, today=today, prefer_demo=demo, tasks=runner)

    def build_live() -> LiveSessionPage:
        from app.ui.pages.live_session import LiveSessionPage

        return LiveSessionPage(
            store,
            model,
            analysis,
            options,
            scan=strap_scanner(options.ble_backend),
            cue_player=cues,
            initial_source="demo" if demo else "last",
            tasks=runner,
        )

    def build_assessment() -> AssessmentPage:
        from app.ui.pages.assessment import AssessmentPage

        return AssessmentPage(
            store,
            model,
            options,
            scan=strap_scanner(options.ble_backend),
            prefer_demo=demo,
            cue_player=cues,
            today=today,
        )

    breathe.set_builder(build_breathe)
    history.set_builder(build_history)
    settings.set_builder(build_settings)
    if home is not None:
        home.set_builder(build_home)
    if live is not None:
        live.set_builder(build_live)
    if assessment is not None:
        assessment.set_builder(build_assessment)

    # -- who tells whom (each connection is made once the pages it joins exist) -----------------
    def refresh_history() -> None:
        if history.built is not None:
            history.built.refresh()

    def refresh_home() -> None:
        if home is not None and home.built is not None:
            home.built.schedule_refresh()

    def refresh_views() -> None:
        refresh_history()
        refresh_home()
        if assessment is not None and assessment.built is not None:
            assessment.built.refresh_past()

    def selected_session() -> int | None:
        ids = history.built.selected_ids() if history.built is not None else []
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

    def tell_window(page: Any) -> None:
        page.message.connect(window.notify)

    def tell_on_save(page: BreathePage | LiveSessionPage | AssessmentPage) -> None:
        page.session_saved.connect(lambda _id: refresh_history())
        page.session_saved.connect(lambda _id: refresh_home())

    for entry in (home, breathe, live, assessment, history):
        if entry is not None:
            entry.on_built(tell_window)
    breathe.on_built(tell_on_save)
    if live is not None:
        live.on_built(tell_on_save)
    if assessment is not None:
        assessment.on_built(tell_on_save)

    def connect_home(page: HomePage) -> None:
        page.data_changed.connect(refresh_history)
        page.breathe_requested.connect(lambda: window.show_page(breathe))
        page.import_requested.connect(data_actions.choose_and_import)
        page.help_requested.connect(window.show_words)

    if home is not None:
        home.on_built(connect_home)

    def connect_history(page: HistoryPage) -> None:
        def open_row(index: QModelIndex) -> None:
            ids = page.session_ids()
            if 0 <= index.row() < len(ids):
                open_session_detail(window, store, ids[index.row()], analysis, runner)

        page.table.activated.connect(open_row)
        page.table.setToolTip("Double-click a session (or press Enter) to see its detail")

    history.on_built(connect_history)

    doctor = StrapDoctorLauncher(window, options.ble_backend)
    settings.on_built(lambda page: _doctor_from_settings(doctor, page))
    if live is not None:

        def connect_live_doctor(page: LiveSessionPage) -> None:
            _doctor_from_picker(doctor, page.picker)
            page.check_strap_requested.connect(lambda: doctor.open())

        live.on_built(connect_live_doctor)
    if assessment is not None:
        assessment.on_built(lambda page: _doctor_from_picker(doctor, page.picker))

    reminder = None
    if home is not None:
        checked_home = home

        def open_check() -> None:
            window.bring_forward()
            if window.show_page(checked_home):
                checked_home.get().open_morning_check()

        reminder = MorningReminder(store, model, window, open_check, window.notify, parent=window)

    if not lazy:
        for entry in shell.entries():
            entry.get()
    window.show_page(shell.first)
    return AppUi(
        window=window,
        model=model,
        cue_player=cues,
        tasks=runner,
        data_actions=data_actions,
        breathe_page=breathe,
        history_page=history,
        settings_page=settings,
        home_page=home,
        live_page=live,
        assessment_page=assessment,
        today=shell.today,
        reminder=reminder,
    )


def build_window(store: Store, *, demo: bool = False) -> MainWindow:
    """The app's window with every page built (the benchmarks; tests use `build_app`)."""
    return build_app(store, demo=demo).window
