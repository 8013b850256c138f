"""What the main window needs from a page, and nothing more.

Every page of the navigation implements `Page`: a `title` (its navigation entry), an `icon`,
`enter()` when it becomes the shown page, `leave()` when another page is shown, `busy` while it
runs a session, and `shutdown()` (end a running session and store it, without questions: the
window is closing or the person chose to leave the session). The window asks before switching
away from a busy page or quitting while one is busy.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QWidget


@runtime_checkable
class Page(Protocol):
    """A page of the main window (always a QWidget as well)."""

    @property
    def title(self) -> str: ...

    @property
    def icon(self) -> QIcon: ...

    @property
    def busy(self) -> bool: ...

    def enter(self) -> None: ...

    def leave(self) -> None: ...

    def shutdown(self) -> None: ...


class PageBase:
    """What most pages share: a fixed title and theme icon, nothing to do on enter or leave.

    Mix it in after the widget class (`class HistoryPage(QWidget, PageBase)`), set `TITLE` and
    `ICON_NAME`, and override what differs. A page that runs sessions overrides `busy`; every
    page writes its own `shutdown()`.
    """

    TITLE: ClassVar[str]
    ICON_NAME: ClassVar[str]

    @property
    def title(self) -> str:
        return self.TITLE

    @property
    def icon(self) -> QIcon:
        return QIcon.fromTheme(self.ICON_NAME)

    @property
    def busy(self) -> bool:
        return False

    def enter(self) -> None:
        """Nothing to prepare when the page is shown."""

    def leave(self) -> None:
        """Nothing to put away when another page is shown."""


def page_shortcut(page: QWidget, text: str, key: Qt.Key | QKeySequence.StandardKey) -> QAction:
    """A keyboard action of `page`, for the whole window, off until the page enables it."""
    action = QAction(text, page)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setEnabled(False)
    page.addAction(action)
    return action


def page_widget(page: Page) -> QWidget:
    """The page as a widget (every page is one)."""
    if not isinstance(page, QWidget):
        raise TypeError(f"a page must be a QWidget, not {type(page).__name__}")
    return page
