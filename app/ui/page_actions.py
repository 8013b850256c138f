"""Keyboard shortcuts that belong to one page: active only while that page is shown.

Space and Esc mean "start/pause" and "stop" on several pages; each page's actions are enabled
while it is visible, so a key acts only on the page in front.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


class _FollowVisibility(QObject):
    """Enables the page's action on Show and disables it on Hide."""

    def __init__(self, action: QAction, page: QWidget) -> None:
        super().__init__(page)
        self._action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Show:
            self._action.setEnabled(True)
        elif event.type() == QEvent.Type.Hide:
            self._action.setEnabled(False)
        return False


def page_action(page: QWidget, text: str, key: Qt.Key) -> QAction:
    """A window-wide shortcut owned by `page`, enabled only while `page` is shown."""
    action = QAction(text, page)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setEnabled(page.isVisible())
    page.addAction(action)
    page.installEventFilter(_FollowVisibility(action, page))
    return action
