"""The optional daily reminder of the morning check, while the app runs (off by default).

When it is due (`app.recovery.reminder`: the chosen time has come, and today has no morning check
and no reminder yet), it shows as a notification from a tray icon where the desktop has a system
tray; elsewhere as a status-bar notice while the window asks for attention. Clicking the
notification (or the icon) opens the morning check. The clock is looked at again at the next time
the reminder could be due, and at least hourly (a machine that slept is noticed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from app import APP_NAME
from app.recovery.reminder import next_look, parse_clock_time, reminder_due
from app.store import Store
from app.store.records import SessionKind, SessionStatus
from app.store.settings import AppSettings
from app.ui.services.settings_model import SettingsModel

REMINDER_TITLE = "Morning check"
REMINDER_TEXT = "Time for your morning check: two quiet minutes, sitting still, with your strap on."


def local_now() -> datetime:
    return datetime.now().astimezone()


class MorningReminder(QObject):
    """Reminds once a day while enabled in the settings.

    reminded(): the reminder was shown (for the tests and the log).
    """

    reminded = Signal()

    def __init__(
        self,
        store: Store,
        model: SettingsModel,
        window: QWidget,
        open_check: Callable[[], object],
        notify: Callable[[str], None],
        *,
        now: Callable[[], datetime] = local_now,
        tray_available: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._model = model
        self._window = window
        self._open_check = open_check
        self._notify = notify
        self._now = now
        self._use_tray = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.reminded_on: date | None = None
        self.tray: QSystemTrayIcon | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)
        model.changed.connect(self._settings_changed)
        self._settings_changed(model.settings)

    @property
    def enabled(self) -> bool:
        return self._model.settings.reminder_on

    def checked_on(self) -> date | None:
        """The local day of the newest morning check taken with a strap."""
        for record in self._store.sessions(kind=SessionKind.READINESS, include_simulated=False):
            if record.status is SessionStatus.COMPLETE:
                return record.started_at.astimezone(self._now().tzinfo).date()
        return None

    def check(self) -> None:
        """Remind when due, then wait until the next moment it could be."""
        if not self.enabled:
            self.timer.stop()
            return
        now = self._now()
        at = parse_clock_time(self._model.settings.reminder_time)
        checked_on = self.checked_on()
        if reminder_due(now, at, checked_on=checked_on, reminded_on=self.reminded_on):
            self.reminded_on = now.date()
            self._show()
        wait_s = (
            next_look(now, at, checked_on=checked_on, reminded_on=self.reminded_on) - now
        ).total_seconds()
        self.timer.start(max(1000, round(wait_s * 1000)))

    def _settings_changed(self, settings: AppSettings) -> None:
        if settings.reminder_on and self._use_tray and self.tray is None:
            self.tray = self._make_tray()
        if self.tray is not None:
            self.tray.setVisible(settings.reminder_on)
        self.check()

    def _make_tray(self) -> QSystemTrayIcon:
        app = QApplication.instance()
        icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
        tray = QSystemTrayIcon(icon, self)
        tray.setToolTip(f"{APP_NAME}: a daily reminder of the morning check")
        tray.messageClicked.connect(self.open_check)
        tray.activated.connect(lambda _reason: self.open_check())
        return tray

    def open_check(self) -> None:
        """What a click on the reminder does: the window in front, the morning check open."""
        self._open_check()

    def _show(self) -> None:
        if self.tray is not None and self.tray.isVisible() and self.tray.supportsMessages():
            self.tray.showMessage(REMINDER_TITLE, REMINDER_TEXT, self.tray.icon(), 60_000)
        else:
            self._notify(REMINDER_TEXT)
            QApplication.alert(self._window)
        self.reminded.emit()

    def stop(self) -> None:
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()
