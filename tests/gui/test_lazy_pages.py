"""Pages built when first shown (the app's start-up, `build_app(lazy=True)`): the navigation
lists every page from the start, only the page the window opens on is built, another is built
when it is shown, and the connections between pages reach a page built later."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.app import build_app
from app.ui.pages import names
from app.ui.pages.deferred import DeferredPage
from app.ui.pages.history import HistoryPage
from app.ui.shell import build_shell
from tests.stubs import FakeClock, InstantTaskRunner, RecordingCuePlayer

ROOT = Path(__file__).resolve().parents[2]
EVERY_PAGE = ["Home", "Breathe", "Live session", "Assessment", "History", "Settings"]


def test_the_shell_lists_every_page_and_builds_none(store: Store, qtbot: QtBot) -> None:
    shell = build_shell(store, first=names.LIVE)
    window = shell.window
    qtbot.addWidget(window)
    assert window.page_names() == EVERY_PAGE
    assert window.pages() == []  # nothing built
    assert [entry.built for entry in shell.entries()] == [None] * 6
    assert window.nav.currentRow() == EVERY_PAGE.index("Live session")  # where it will open
    assert not window.show_page("History")  # no builder yet: the click waits
    assert window.current_page() is None
    assert window.nav.currentRow() == EVERY_PAGE.index("Live session")


def test_only_the_page_on_show_is_built_then_each_when_shown(store: Store, qtbot: QtBot) -> None:
    shell = build_shell(store, first=names.BREATHE)
    ui = build_app(
        store,
        clock=FakeClock(),
        cue_player=RecordingCuePlayer(),
        tasks=InstantTaskRunner(),
        shell=shell,
        lazy=True,
    )
    window = ui.window
    qtbot.addWidget(window)
    assert ui.breathe_page.built is not None
    assert window.current_page() is ui.breathe_page.built
    not_built = [ui.home_page, ui.live_page, ui.assessment_page, ui.history_page]
    assert [entry.built for entry in not_built if entry is not None] == [None] * 4
    assert window.page_names() == EVERY_PAGE

    assert window.show_page("History")
    history = ui.history_page.built
    assert isinstance(history, HistoryPage)
    assert window.current_page() is history
    assert window.stack.currentWidget() is history  # it took its stand-in's place
    assert window.stack.count() == len(EVERY_PAGE)
    assert ui.live_page is not None and ui.live_page.built is None


def test_a_page_built_later_is_connected_to_the_others(store: Store, qtbot: QtBot) -> None:
    shell = build_shell(store, first=names.BREATHE)
    ui = build_app(
        store, cue_player=RecordingCuePlayer(), tasks=InstantTaskRunner(), shell=shell, lazy=True
    )
    qtbot.addWidget(ui.window)
    refreshed: list[int] = []
    ui.breathe.session_saved.emit(1)  # History is not built: nothing to refresh, no error
    history = ui.history  # built on use
    history.refresh = lambda: refreshed.append(1)  # type: ignore[method-assign]
    ui.breathe.session_saved.emit(2)
    assert refreshed == [1]
    assert ui.settings_page.built is None
    assert ui.settings.check_strap_button.isEnabled()  # the strap doctor reached it when built
    ui.window.notify("")
    assert ui.assessment is not None
    ui.assessment.message.emit("from a page built last")
    assert "from a page built last" in ui.window.statusBar().currentMessage()


def test_a_deferred_page_is_built_once(qtbot: QtBot) -> None:
    built: list[QWidget] = []
    entry: DeferredPage[QWidget] = DeferredPage(names.HISTORY)
    seen: list[QWidget] = []
    entry.on_built(seen.append)
    assert (entry.ready, entry.built) == (False, None)
    assert entry.title == "History"

    def build() -> QWidget:
        page = QWidget()
        qtbot.addWidget(page)
        built.append(page)
        return page

    entry.set_builder(build)
    assert entry.ready
    first = entry.get()
    assert entry.get() is first and built == [first] and seen == [first]
    late: list[QWidget] = []
    entry.on_built(late.append)  # after the build: at once
    assert late == [first]


_BUILD_FAILS_AFTER_THE_FIRST_PAINT = """
import signal, sys
from PySide6.QtWidgets import QApplication
import app.ui.app
from app import cli
from app.ui.services.single_instance import SingleInstance, instance_key

app_ = QApplication(sys.argv[:1])

def broken_build(*args, **kwargs):
    raise RuntimeError("a page could not be built")

app.ui.app.build_app = broken_build
code = cli.main(["--db", sys.argv[1], "--verbose"])
again = SingleInstance(instance_key(__import__("pathlib").Path(sys.argv[1])))
default = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
print("exit", code, "claimed", again.claim(), "sigterm-default", default)
"""


def test_a_start_that_fails_after_the_first_paint_lets_go(tmp_path: Path) -> None:
    """An error building the pages (after the window was painted) ends in the one-line crash
    message; the database's single-instance claim and the signal handlers are released."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "-c", _BUILD_FAILS_AFTER_THE_FIRST_PAINT, str(tmp_path / "app.db")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "baseline: main window shown" in result.stderr
    assert "a page could not be built" in result.stderr  # the crash line names the error
    assert result.stdout.split() == ["exit", "1", "claimed", "True", "sigterm-default", "True"]
