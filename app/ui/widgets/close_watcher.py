"""Run a page's shutdown when the main window closes (so a running session is stored)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject


class CloseWatcher(QObject):
    """An event filter on the window that calls `on_close` when the window gets a Close event."""

    def __init__(self, on_close: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._on_close = on_close

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Close:
            self._on_close()
        return False


def call_on_close(window: QObject, on_close: Callable[[], None]) -> None:
    """Call `on_close` when `window` closes; the watcher lives as long as the window."""
    window.installEventFilter(CloseWatcher(on_close, window))
