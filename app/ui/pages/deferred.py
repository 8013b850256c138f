"""A page of the navigation that is built the first time it is needed.

The window lists every page from the start, but a page (its widgets, charts, and the modules
behind them: NumPy, pyqtgraph, the session engine) is built only when it is first shown or
when the composition root asks for it (`get()`). Until then the window shows an empty stand-in
in its place. The composition root gives each entry its builder once the app's services exist
(`set_builder`); those who need a page once it exists register `on_built`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget

from app.ui.pages.names import PageEntry

P = TypeVar("P", bound=QWidget)


class DeferredPage(Generic[P]):
    """One navigation entry whose page is built on first use."""

    def __init__(self, entry: PageEntry) -> None:
        self.entry = entry
        self._build: Callable[[], P] | None = None
        self._page: P | None = None
        self._building = False
        self._listeners: list[Callable[[P], None]] = []

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def icon(self) -> QIcon:
        return QIcon.fromTheme(self.entry.icon_name)

    @property
    def ready(self) -> bool:
        """It can be built (or is): its builder was given."""
        return self._page is not None or self._build is not None

    @property
    def built(self) -> P | None:
        """The page, when it has been built."""
        return self._page

    def set_builder(self, build: Callable[[], P]) -> None:
        self._build = build

    def get(self) -> P:
        """The page, built now if it was not yet (then every `on_built` callback runs)."""
        if self._page is not None:
            return self._page
        if self._build is None or self._building:
            raise RuntimeError(f"the {self.title} page cannot be built yet")
        self._building = True
        try:
            page = self._build()
        finally:
            self._building = False
        self._page = page
        for callback in self._listeners:
            callback(page)
        self._listeners.clear()
        return page

    def on_built(self, callback: Callable[[P], None]) -> None:
        """Run `callback` with the page once it is built (at once when it is)."""
        if self._page is not None:
            callback(self._page)
        else:
            self._listeners.append(callback)
