"""The one place the running app keeps its settings: validates, saves at once, tells the views.

Built by the composition root from the settings loaded at start-up and passed to every view that
shows or edits settings.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.store import Store
from app.store.settings import AppSettings, save_settings, update_settings


class SettingsModel(QObject):
    """Holds the current AppSettings (immutable) and persists every change.

    Signals:
        changed(object): the new AppSettings after a successful update.
    """

    changed = Signal(object)

    def __init__(self, store: Store, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings

    @property
    def settings(self) -> AppSettings:
        return self._settings

    def update(self, **changes: Any) -> AppSettings:
        """Apply and save `changes`; raises ValueError (nothing changed) if they are invalid."""
        new = update_settings(self._settings, **changes)
        if new != self._settings:
            self._settings = new
            save_settings(self._store, new)
            self.changed.emit(new)
        return new
