"""What the main window needs from a page, and nothing more.

Every page of the navigation implements `Page`: a `title` (its navigation entry), an `icon`,
`enter()` when it becomes the shown page, `leave()` when another page is shown, `busy` while it
runs a session, and `shutdown()` (end a running session and store it, without questions: the
window is closing or the person chose to leave the session). The window asks before switching
away from a busy page or quitting while one is busy.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtGui import QIcon
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


def page_widget(page: Page) -> QWidget:
    """The page as a widget (every page is one)."""
    if not isinstance(page, QWidget):
        raise TypeError(f"a page must be a QWidget, not {type(page).__name__}")
    return page
