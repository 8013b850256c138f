"""The window drives its pages through the Page protocol: enter/leave on every switch, and a
question before leaving (or quitting) while a page is busy with a session."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.session.engine import MIN_KEPT_S
from app.store import Store
from app.ui.app import build_app
from app.ui.pages.page import Page
from tests.gui.conftest import WindowFactory
from tests.stubs import FakeClock


class ProbePage(QWidget):
    """A page that records what the window asks of it."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title
        self.calls: list[str] = []
        self.running = False

    @property
    def title(self) -> str:
        return self._title

    @property
    def icon(self) -> QIcon:
        return QIcon()

    @property
    def busy(self) -> bool:
        return self.running

    def enter(self) -> None:
        self.calls.append("enter")

    def leave(self) -> None:
        self.calls.append("leave")

    def shutdown(self) -> None:
        self.calls.append("shutdown")
        self.running = False


def _question(window_question: QMessageBox | None) -> QMessageBox:
    assert window_question is not None and window_question.isVisible()
    return window_question


def test_every_page_of_the_app_is_a_page(store: Store, qtbot: QtBot) -> None:
    ui = build_app(store, demo=True)
    qtbot.addWidget(ui.window)
    pages = ui.window.pages()
    assert [p.title for p in pages] == ui.window.page_names()
    assert ui.window.page_names() == [
        "Home", "Breathe", "Live session", "Assessment", "History", "Settings"
    ]  # fmt: skip
    for page in pages:
        assert isinstance(page, Page) and isinstance(page, QWidget)
        assert not page.busy


def test_switching_calls_leave_then_enter(store: Store, make_window: WindowFactory) -> None:
    window = make_window(store).window
    first, second = ProbePage("First"), ProbePage("Second")
    window.add_page(first)
    window.add_page(second, "Ctrl+8")
    assert first.calls == [] and second.calls == []  # adding a page does not show it
    assert window.show_page(first)
    assert first.calls == ["enter"]
    window.nav.setCurrentRow(window.page_names().index("Second"))  # a click in the navigation
    assert window.current_page() is second
    assert first.calls == ["enter", "leave"] and second.calls == ["enter"]
    assert window.stack.currentWidget() is second
    assert window.show_page(second)  # already shown: nothing happens
    assert second.calls == ["enter"]


def test_a_busy_page_asks_before_the_window_leaves_it(
    store: Store, make_window: WindowFactory
) -> None:
    window = make_window(store).window
    busy, other = ProbePage("Busy"), ProbePage("Other")
    window.add_page(busy)
    window.add_page(other)
    window.show_page(busy)
    busy.running = True
    assert not window.show_page(other)
    box = _question(window.leave_question)
    assert "A session is running on Busy" in box.text() and "Other" in box.text()
    assert window.current_page() is busy
    assert window.nav.currentRow() == window.page_names().index("Busy")
    window.answer_leave_question(end_session=False)  # "Keep going"
    assert window.leave_question is None
    assert window.current_page() is busy and busy.running
    assert busy.calls == ["enter"]
    # A click in the navigation asks too; this time the session is ended.
    window.nav.setCurrentRow(window.page_names().index("Other"))
    assert window.current_page() is busy
    _question(window.leave_question)
    window.answer_leave_question(end_session=True)
    assert busy.calls == ["enter", "shutdown", "leave"]
    assert window.current_page() is other and other.calls == ["enter"]


def test_quitting_while_busy_asks_first(
    store: Store, make_window: WindowFactory, qtbot: QtBot
) -> None:
    window = make_window(store).window
    busy = ProbePage("Busy")
    window.add_page(busy)
    window.show_page(busy)
    busy.running = True
    window.close()
    assert window.isVisible()  # still open: the person is asked
    _question(window.leave_question)
    window.answer_leave_question(end_session=False)
    assert window.isVisible() and busy.running and "shutdown" not in busy.calls
    window.close()
    window.answer_leave_question(end_session=True)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)
    assert "shutdown" in busy.calls


def test_leaving_a_running_breathing_session_ends_and_keeps_it(
    store: Store, make_window: WindowFactory, clock: FakeClock
) -> None:
    ui = make_window(store)
    window = ui.window
    window.show_page(ui.breathe)
    ui.breathe.start()
    clock.advance(MIN_KEPT_S)  # long enough to keep
    assert window.busy_pages() == [ui.breathe]
    assert not window.show_page(ui.history)
    window.answer_leave_question(end_session=True)
    assert window.current_page() is ui.history
    assert window.busy_pages() == []
    assert [s.status for s in store.sessions()] == ["complete"]
    assert ui.history.session_ids() == [store.sessions()[0].id]
