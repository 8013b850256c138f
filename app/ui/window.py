"""The main window: a left navigation of pages, a menu bar and a status bar.

Pages (see `app.ui.pages.page.Page`) are added by the composition root (`app.ui.app`) with
`add_page(page, shortcut)`, built or deferred (`app.ui.pages.deferred.DeferredPage`: built when
it is first shown; until then an empty stand-in holds its place). The window drives them
through the protocol only: `leave()` on the page shown so far and `enter()` on the next one; it
asks before switching away from a busy page (one running a session) or quitting while one is
busy, and calls every built page's `shutdown()` when it closes. It knows no page by name or type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME, __version__
from app.store import Store
from app.store.records import SettingKey
from app.store.settings import THEMES, AppSettings
from app.ui.pages.deferred import DeferredPage
from app.ui.pages.page import Page, page_widget
from app.ui.services.settings_model import SettingsModel
from app.ui.theme import THEME_LABELS, apply_theme

if TYPE_CHECKING:
    from app.ui.dialogs.accuracy import AccuracyDialog
    from app.ui.dialogs.words import WordsDialog
    from app.ui.services.sound import CuePlayer

#: A navigation entry: a page, or one built when first shown.
Entry = Page | DeferredPage[Any]

#: A status-bar notice fades after this long; lasting states are shown on their pages.
NOTICE_TIMEOUT_MS = 7_000
NAV_FONT_PT = 12.0  # as in the theme's stylesheet
ABOUT_TEXT = (
    f"<p><b>{APP_NAME}</b> {__version__}</p>"
    "<p>Guided slow breathing, live heart-rate biofeedback and a personal heart-rate "
    "variability baseline, on your own machine.</p>"
    "<p>Baseline is a wellness tool, not a medical device. It does not diagnose, treat or "
    "prevent any condition, and it is no substitute for professional care.</p>"
    "<p>Your data stays on this computer: no network use beyond Bluetooth, no telemetry.</p>"
    "<p><small>Baseline is free software under the MIT licence. It is built on Qt and PySide6 "
    "(LGPLv3), pyqtgraph (MIT), NumPy (BSD-3-Clause), bleak (MIT), bumble (Apache-2.0), qasync "
    "(BSD-2-Clause), platformdirs (MIT), filelock (Unlicense) and fitdecode (MIT). "
    "It ships no recordings or other third-party data: its sound cues are generated on your "
    "machine. The sample recordings in its test suite come from PhysioNet (ODC-By 1.0) and the "
    "pyhrv and hrv projects (BSD-3-Clause) and are not part of the app.</small></p>"
)


class QuitKey(QObject):
    """Ctrl+Q while a modal dialog of the app is open (the morning check, the log form, About):
    Qt gives shortcuts of the windows behind a modal dialog no keys, so this filter on the
    application triggers the Quit action itself.

    The window installs it only while a modal dialog blocks it: a filter on the application
    sees every event of the app (each pacer frame's paint and timer too), and a Python filter
    costs a call into Python for each."""

    def __init__(self, window: QWidget, quit_action: QAction) -> None:
        super().__init__(window)
        self._window = window
        self._action = quit_action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and QApplication.activeModalWidget() is not None
            and self._window.isVisible()
            and self._action.isEnabled()
            and QKeySequence(event.keyCombination()).matches(self._action.shortcut())
            == QKeySequence.SequenceMatch.ExactMatch
        ):
            self._action.trigger()
            return True
        return False


class MainWindow(QMainWindow):
    """The Baseline window. Build it with the store and settings model; the composition root
    adds the pages and the cue player. A theme change reaches every widget through the palette.
    """

    closing = Signal()  # the window is closing: its pages end their sessions next
    closed = Signal()  # the window closed (after its pages ended their sessions)

    def __init__(
        self,
        store: Store,
        model: SettingsModel,
        *,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self._store = store
        self._model = model
        self._cues: CuePlayer | None = None
        self.demo = demo
        self._pages: list[Entry] = []
        self._page_names: list[str] = []
        self._shown: Page | None = None
        self._applied_theme: str | None = None
        self._system_scheme: Qt.ColorScheme | None = None  # None: ask the platform
        self._quit_confirmed = False
        self.leave_question: QMessageBox | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Pages")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.nav.currentRowChanged.connect(self._row_chosen)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._quit_key = QuitKey(self, self.quit_action)

        model.changed.connect(self._apply_settings)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)
        self._follows_system = True
        self._restore_geometry()

    def start(self) -> None:
        """Apply the settings (theme; sound once the cue player is set)."""
        self._apply_settings(self._model.settings)

    def set_cue_player(self, cue_player: CuePlayer) -> None:
        """The player of the sound cues: it follows the settings, and its problems are told."""
        self._cues = cue_player
        cue_player.problem.connect(self.notify)
        settings = self._model.settings
        cue_player.configure(
            enabled=settings.sound_on, volume=settings.volume, style=settings.cue_style
        )
        if settings.sound_on:
            cue_player.report_unavailable()

    # -- pages -----------------------------------------------------------------------------
    def add_page(
        self,
        page: Entry,
        shortcut: str | None = None,
        *,
        position: int = -1,
        name: str | None = None,
    ) -> None:
        """Add a page to the navigation (at the end, or at `position`); `shortcut` shows it.

        Its navigation entry is `page.title` unless `name` is given. A deferred page is built
        when it is first shown (or asked for); an empty stand-in holds its place until then.
        """
        widget = QWidget() if isinstance(page, DeferredPage) else page_widget(page)
        name = name or page.title
        if name in self._page_names:
            raise ValueError(f"a page named {name!r} exists already")
        index = len(self._page_names) if position < 0 else min(position, len(self._page_names))
        self._pages.insert(index, page)
        self._page_names.insert(index, name)
        self.nav.blockSignals(True)  # inserting moves the current row; the shown page stays
        self.stack.insertWidget(index, widget)
        item = QListWidgetItem(page.icon, name)
        if shortcut:
            item.setToolTip(f"{name} ({shortcut})")
            action = QAction(f"Show {name}", self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda: self.show_page(page))
            self.addAction(action)
            self._page_menu.addAction(action)
        self.nav.insertItem(index, item)
        self.nav.blockSignals(False)
        self._fit_nav()
        if isinstance(page, DeferredPage):
            page.on_built(lambda built: self._put_in_place(page, built))
        if self._shown is None:
            if isinstance(page, DeferredPage) and not page.ready and len(self._pages) > 1:
                self._select_row(self.stack.currentIndex())  # keep the one shown first
            else:
                self._switch_to(index)
        else:
            self._select_row(self._pages.index(self._shown))

    def _put_in_place(self, deferred: DeferredPage[Any], built: QWidget) -> None:
        """A deferred page was built: it takes its stand-in's place."""
        if not isinstance(built, Page):
            raise TypeError(f"a page must implement Page, not {type(built).__name__}")
        index = self._pages.index(deferred)
        stand_in = self.stack.widget(index)
        shown_here = self.stack.currentIndex() == index
        self._pages[index] = built
        self.stack.insertWidget(index, built)
        if stand_in is not None:
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
        if shown_here:
            self.stack.setCurrentIndex(index)

    def _fit_nav(self) -> None:
        """Make the navigation wide enough for every page name (it uses a 12 pt font)."""
        font = QFont(self.nav.font())
        font.setPointSizeF(NAV_FONT_PT)
        metrics = QFontMetrics(font)
        widest = max((metrics.horizontalAdvance(name) for name in self._page_names), default=0)
        self.nav.setFixedWidth(max(widest + 4 * metrics.height(), metrics.averageCharWidth() * 16))

    def pages(self) -> list[Page]:
        """The pages built so far, in navigation order."""
        return [page for page in self._pages if not isinstance(page, DeferredPage)]

    def page_names(self) -> list[str]:
        return list(self._page_names)

    def current_page(self) -> Page | None:
        return self._shown

    def current_page_name(self) -> str | None:
        shown = self._shown
        return None if shown is None else self._page_names[self._pages.index(shown)]

    def show_page(self, page: Entry | str) -> bool:
        """Show `page` (or the page with that navigation entry), building it if it was deferred.
        When the page shown now is busy the person is asked first; returns True when the page
        is shown now."""
        return self._request(self._index_of(page))

    def _index_of(self, page: Entry | str) -> int:
        if isinstance(page, str):
            return self._page_names.index(page)
        if isinstance(page, DeferredPage) and page.built is not None:
            return self._pages.index(page.built)
        return self._pages.index(page)

    def open_on(self, page: Entry) -> None:
        """Before any page is shown: choose the navigation entry the window opens on (a page
        not built yet keeps its place with an empty stand-in until it is shown)."""
        if self._shown is None:
            index = self._index_of(page)
            self._select_row(index)
            self.stack.setCurrentIndex(index)

    def _stay(self) -> None:
        """Keep the navigation on the page in view."""
        shown = self._shown
        self._select_row(self.stack.currentIndex() if shown is None else self._pages.index(shown))

    def busy_pages(self) -> list[Page]:
        return [page for page in self.pages() if page.busy]

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self._pages) and not self._request(row) and self._shown is not None:
            self._select_row(self._pages.index(self._shown))  # stay until the answer

    def _select_row(self, row: int) -> None:
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)

    def _request(self, index: int) -> bool:
        target = self._pages[index]
        shown = self._shown
        if isinstance(target, DeferredPage) and not target.ready:
            self._stay()  # the window is still being put together
            return False
        if shown is target:
            self._select_row(index)
            return True
        if shown is not None and shown.busy:
            self._ask_to_leave(shown, target)
            return False
        self._switch_to(index)
        return True

    def _switch_to(self, index: int) -> None:
        entry = self._pages[index]
        if isinstance(entry, DeferredPage):
            if not entry.ready:
                self._stay()
                return
            entry.get()  # takes its stand-in's place in the navigation
        target = self._pages[index]
        assert not isinstance(target, DeferredPage)
        shown = self._shown
        if shown is not None and shown is not target:
            shown.leave()
        self._shown = target
        self._select_row(index)
        self.stack.setCurrentIndex(index)
        target.enter()

    def _ask_to_leave(self, busy: Page, target: Entry) -> None:
        """A session runs on `busy`: ask (without blocking) whether to end it and go on."""
        if self.leave_question is not None:
            self.leave_question.raise_()
            return
        name = self._page_names[self._pages.index(target)]
        box = self._question(
            "A session is running",
            f"A session is running on {busy.title}. End it (what was recorded is kept) and go "
            f"to {name}?",
            "End the session",
        )

        def answered(ending: bool) -> None:
            if not ending:
                return
            try:
                index = self._index_of(target)
            except ValueError:  # no longer in the navigation
                return
            busy.shutdown()
            self._switch_to(index)

        self._open_question(box, answered)

    def _question(self, title: str, text: str, yes_text: str) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle(title)
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(text)
        box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
        stay = box.addButton("Keep going", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        return box

    def _open_question(self, box: QMessageBox, answered: Callable[[bool], None]) -> None:
        self.leave_question = box

        def done(_result: int) -> None:
            clicked = box.clickedButton()
            ending = clicked is not None and (
                box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole
            )
            self.leave_question = None
            box.deleteLater()
            answered(ending)

        box.finished.connect(done)
        box.open()  # non-blocking: the asyncio loop keeps running

    def answer_leave_question(self, end_session: bool) -> None:
        """Answer the open question as the person would (keyboard users, tests)."""
        box = self.leave_question
        if box is None:
            return
        role = (
            QMessageBox.ButtonRole.AcceptRole if end_session else QMessageBox.ButtonRole.RejectRole
        )
        button = next(b for b in box.buttons() if box.buttonRole(b) == role)
        button.click()

    # -- menus -----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("&File")
        self.quit_separator = self.file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        # From any of the app's windows (a session's detail, a dialog), not only this one.
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self._page_menu = view_menu.addMenu("&Go to")
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        group.setExclusive(True)
        for theme in THEMES:
            action = QAction(THEME_LABELS[theme], self)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked, t=theme: self._model.update(theme=t))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[theme] = action

        help_menu = self.menuBar().addMenu("&Help")
        self._help_menu_action = help_menu.menuAction()
        self.how_computed_action = QAction("&How is this computed?", self)
        self.how_computed_action.triggered.connect(self.show_how_computed)
        help_menu.addAction(self.how_computed_action)
        self.words_action = QAction("&Words and scales", self)
        self.words_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.words_action.triggered.connect(self.show_words)
        help_menu.addAction(self.words_action)
        about = QAction(f"&About {APP_NAME}", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def add_menu(self, menu: QMenu) -> None:
        """Add a menu to the menu bar, before Help."""
        self.menuBar().insertMenu(self._help_menu_action, menu)

    def show_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(ABOUT_TEXT)
        box.setIcon(QMessageBox.Icon.Information)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # non-blocking: the asyncio loop keeps running
        return box

    def show_how_computed(self) -> AccuracyDialog:
        """How the numbers are computed and how well they agree with other software."""
        from app.ui.dialogs.accuracy import AccuracyDialog  # read from disk when asked for

        dialog = AccuracyDialog(parent=self)
        dialog.open()  # non-blocking, like the About box
        return dialog

    def show_words(self) -> WordsDialog:
        """What each number means, one scale per idea (the "What is this?" links open it)."""
        from app.ui.dialogs.words import WordsDialog

        dialog = WordsDialog(parent=self)
        dialog.accuracy_requested.connect(self.show_how_computed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- settings, notices -----------------------------------------------------------------
    def _apply_settings(self, settings: AppSettings) -> None:
        if self._cues is not None:
            self._cues.configure(
                enabled=settings.sound_on, volume=settings.volume, style=settings.cue_style
            )
        self.theme_actions[settings.theme].setChecked(True)
        if settings.theme != self._applied_theme:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                # every themed widget follows the palette
                apply_theme(app, settings.theme, self._system_scheme)
            self._applied_theme = settings.theme

    def _system_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        """The desktop switched between light and dark: "system" follows it at once."""
        self._system_scheme = scheme
        if self._model.settings.theme == "system":
            self._applied_theme = None  # re-resolve "system" to the new light/dark
            self._apply_settings(self._model.settings)

    def bring_forward(self) -> None:
        """Show the window in front (another start of the app on this database asked for it)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def notify(self, text: str) -> None:
        """Show a short sentence in the status bar; notices arriving together are joined."""
        current = self.statusBar().currentMessage()
        if current and text not in current:
            text = f"{current}  ·  {text}"
        self.statusBar().showMessage(text, NOTICE_TIMEOUT_MS)

    def notify_interrupted(self, count: int) -> None:
        """Tell the user (once, without blocking) that sessions were cut short last time."""
        if count == 1:
            self.notify("A session was interrupted last time; it is kept in History.")
        elif count > 1:
            self.notify(f"{count} sessions were interrupted last time; they are kept in History.")

    def notify_unreadable(self, count: int) -> None:
        """Tell the user (once) that rows of the database cannot be shown and are left out."""
        if count == 1:
            self.notify("One entry in your data could not be read; it is left out.")
        elif count > 1:
            self.notify(f"{count} entries in your data could not be read; they are left out.")

    # -- geometry ------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self._store.get_setting(SettingKey.WINDOW_GEOMETRY)
        state = self._store.get_setting(SettingKey.WINDOW_STATE)
        restored = False
        if isinstance(geometry, str):
            restored = self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        if isinstance(state, str):
            self.restoreState(QByteArray.fromBase64(state.encode("ascii")))
        if not restored:
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                available = screen.availableGeometry()
                self.resize(
                    min(1200, int(available.width() * 0.92)),
                    min(780, int(available.height() * 0.92)),
                )

    def save_geometry(self) -> None:
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        state = bytes(self.saveState().toBase64().data()).decode("ascii")
        self._store.set_setting(SettingKey.WINDOW_GEOMETRY, geometry)
        self._store.set_setting(SettingKey.WINDOW_STATE, state)

    def event(self, event: QEvent) -> bool:
        """While a modal dialog blocks this window, Ctrl+Q goes through `QuitKey`."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if event.type() == QEvent.Type.WindowBlocked:
                app.installEventFilter(self._quit_key)
            elif event.type() == QEvent.Type.WindowUnblocked:
                app.removeEventFilter(self._quit_key)
        return super().event(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        busy = self.busy_pages()
        if busy and not self._quit_confirmed:
            event.ignore()
            if self.leave_question is None:
                box = self._question(
                    "A session is running",
                    f"A session is running on {busy[0].title}. End it, save what was recorded "
                    f"and quit {APP_NAME}?",
                    "End and save",
                )
                self._open_question(box, self._quit_answered)
            return
        self.closing.emit()
        for page in self.pages():
            page.shutdown()
        self.save_geometry()
        self._stop_following_the_system()
        super().closeEvent(event)
        self.closed.emit()

    def _stop_following_the_system(self) -> None:
        """A closed window no longer sets the application's theme."""
        if self._follows_system:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(self._system_scheme_changed)
            self._follows_system = False

    def _quit_answered(self, quitting: bool) -> None:
        if quitting:
            self._quit_confirmed = True
            self.close()

    def end_sessions(self) -> None:
        """Store every running session as ended, without questions (the desktop session is
        ending); the window stays open."""
        busy = self.busy_pages()
        for page in busy:
            page.shutdown()
        if busy:
            self.notify("The desktop is logging out: your session was ended and saved.")

    def quit_without_asking(self) -> None:
        """Close even while a session runs (it is stored as it stands): the app must end."""
        self._quit_confirmed = True
        self.close()
