"""The main window: a left navigation of pages, a menu bar and a status bar.

Pages are added with one call, `add_page(name, widget, shortcut)`, so later features (a home
screen, a live session with a strap, an assessment, import/export) plug in without other changes.
Everything the window needs is passed in by the composition root (app.ui.main).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME, __version__
from app.breathing.session_timer import Clock
from app.store import Store
from app.store.settings import THEMES, AppSettings
from app.ui.dialogs.accuracy import AccuracyDialog
from app.ui.pages.breathe import BreathePage
from app.ui.pages.history import HistoryPage
from app.ui.pages.settings import THEME_LABELS, SettingsPage
from app.ui.services.data_actions import DataActions
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.theme import apply_theme

GEOMETRY_KEY = "window_geometry"
STATE_KEY = "window_state"
NOTICE_TIMEOUT_MS = 30_000
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


class MainWindow(QMainWindow):
    """The Baseline window. Build it with the store, settings model, cue player and clock."""

    def __init__(
        self,
        store: Store,
        model: SettingsModel,
        cue_player: CuePlayer,
        clock: Clock,
        *,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self._store = store
        self._model = model
        self._cues = cue_player
        self.demo = demo  # a later issue selects the demo strap with this
        self._page_names: list[str] = []
        self._applied_theme: str | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Pages")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()

        self.breathe_page = BreathePage(store, model, cue_player, clock)
        self.history_page = HistoryPage(store)
        self.settings_page = SettingsPage(model, cue_player)
        self.add_page("Breathe", self.breathe_page, "Ctrl+1")
        self.add_page("History", self.history_page, "Ctrl+2")
        self.add_page("Settings", self.settings_page, "Ctrl+3")
        self.nav.setCurrentRow(0)

        self.breathe_page.session_saved.connect(lambda _id: self.history_page.refresh())
        self.breathe_page.message.connect(self.notify)
        self.history_page.message.connect(self.notify)
        cue_player.problem.connect(self.notify)
        model.changed.connect(self._apply_settings)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_scheme_changed)
        self._apply_settings(model.settings)
        if model.settings.sound_on:
            cue_player.report_unavailable()
        self._restore_geometry()

    # -- pages -----------------------------------------------------------------------------
    def add_page(
        self, name: str, widget: QWidget, shortcut: str | None = None, *, position: int = -1
    ) -> None:
        """Add a page to the navigation (at the end, or at `position`); `shortcut` shows it."""
        if name in self._page_names:
            raise ValueError(f"a page named {name!r} exists already")
        index = len(self._page_names) if position < 0 else min(position, len(self._page_names))
        current = self.current_page_name()
        self._page_names.insert(index, name)
        self.stack.insertWidget(index, widget)
        item = QListWidgetItem(name)
        if shortcut:
            item.setToolTip(f"{name} ({shortcut})")
            action = QAction(f"Show {name}", self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda: self.show_page(name))
            self.addAction(action)
            self._page_menu.addAction(action)
        self.nav.insertItem(index, item)
        self._fit_nav()
        if current is not None:
            self.show_page(current)

    def _fit_nav(self) -> None:
        """Make the navigation wide enough for every page name (it uses a 12 pt font)."""
        font = QFont(self.nav.font())
        font.setPointSizeF(NAV_FONT_PT)
        metrics = QFontMetrics(font)
        widest = max((metrics.horizontalAdvance(name) for name in self._page_names), default=0)
        self.nav.setFixedWidth(max(widest + 4 * metrics.height(), metrics.averageCharWidth() * 16))

    def page_names(self) -> list[str]:
        return list(self._page_names)

    def current_page_name(self) -> str | None:
        row = self.nav.currentRow()
        return self._page_names[row] if 0 <= row < len(self._page_names) else None

    def show_page(self, name: str) -> None:
        index = self._page_names.index(name)
        self.nav.setCurrentRow(index)
        self.stack.setCurrentIndex(index)

    # -- menus -----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.data_actions = DataActions(self, self._store, file_menu)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

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
        self.how_computed_action = QAction("&How is this computed?", self)
        self.how_computed_action.triggered.connect(self.show_how_computed)
        help_menu.addAction(self.how_computed_action)
        about = QAction(f"&About {APP_NAME}", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

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
        dialog = AccuracyDialog(parent=self)
        dialog.open()  # non-blocking, like the About box
        return dialog

    # -- settings, notices -----------------------------------------------------------------
    def _apply_settings(self, settings: AppSettings) -> None:
        self._cues.configure(
            enabled=settings.sound_on, volume=settings.volume, style=settings.cue_style
        )
        self.theme_actions[settings.theme].setChecked(True)
        if settings.theme != self._applied_theme:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, settings.theme)  # every themed widget follows the palette
            self._applied_theme = settings.theme

    def _system_scheme_changed(self) -> None:
        if self._model.settings.theme == "system":
            self._applied_theme = None  # re-resolve "system" to the new light/dark
            self._apply_settings(self._model.settings)

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

    # -- geometry ------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self._store.get_setting(GEOMETRY_KEY)
        state = self._store.get_setting(STATE_KEY)
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
        self._store.set_setting(GEOMETRY_KEY, geometry)
        self._store.set_setting(STATE_KEY, state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.breathe_page.shutdown()
        self.save_geometry()
        super().closeEvent(event)
