"""Shared fakes for the tests."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Background tasks (app.ui.tasks): a runner that runs every task at once, on the calling thread.
# ---------------------------------------------------------------------------------------------
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QVBoxLayout, QWidget

T = TypeVar("T")


class InstantTaskRunner:
    """`app.ui.tasks.Tasks` for tests: runs `fn` synchronously and calls back at once.

    The result or the exception goes to `on_done` / `on_error` exactly as the real runner hands
    it over (no exception is swallowed); `ran` counts the tasks.
    """

    def __init__(self) -> None:
        self.ran = 0

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
        *,
        owner: QObject | None = None,
    ) -> None:
        self.ran += 1
        try:
            result = fn()
        except Exception as exc:
            on_error(exc)
            return
        on_done(result)

    def cancel_pending(self) -> None:
        """Nothing is ever pending."""

    def wait(self, timeout_ms: int) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# Pages (app.ui.pages.page.Page): a page that only shows a widget.
# ---------------------------------------------------------------------------------------------
class StaticPage(QWidget):
    """A page that only shows `content`: never busy, nothing to do on enter, leave or shutdown."""

    def __init__(self, title: str, content: QWidget | None = None) -> None:
        super().__init__()
        self._title = title
        if content is not None:
            QVBoxLayout(self).addWidget(content)

    @property
    def title(self) -> str:
        return self._title

    @property
    def icon(self) -> QIcon:
        return QIcon()

    @property
    def busy(self) -> bool:
        return False

    def enter(self) -> None:
        pass

    def leave(self) -> None:
        pass

    def shutdown(self) -> None:
        pass
