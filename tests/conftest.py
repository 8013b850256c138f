"""Test configuration: Qt offscreen, and no test ever touches the user's real database.

A bare `pytest` runs on two worker processes (pytest-xdist, `--dist loadgroup`: tests marked
`xdist_group("name")` share one worker); naming paths, `-k`, `-m`, `-n`, `--pdb`, `-s` or
`--collect-only` keeps the run in this one process. The shared fakes live in tests/stubs.py; the
fixtures every folder uses are here.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.store import Store, open_store

if TYPE_CHECKING:
    from PySide6.QtGui import QFont, QPalette
    from PySide6.QtWidgets import QApplication

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

TESTS_DIR = Path(__file__).resolve().parent
DATA_DIR = TESTS_DIR / "data"
DEFAULT_WORKERS = 2


DEFAULT_MARKS = "not slow"  # addopts: the slow tests are left out


def _bare_run(config: pytest.Config) -> bool:
    """True for a plain `pytest` (options such as -q or --durations allowed): no paths, no
    test selection by name or other marks (`-m slow` keeps its timed end-to-end tests in one
    process), no worker count, no debugger, no uncaptured output."""
    option = config.option
    return (
        config.pluginmanager.hasplugin("xdist")
        and option.markexpr == DEFAULT_MARKS
        and not hasattr(config, "workerinput")  # not inside a worker
        and config.args_source is pytest.Config.ArgsSource.TESTPATHS
        and getattr(option, "numprocesses", None) is None
        and getattr(option, "dist", "no") == "no"
        and not option.keyword
        and not option.usepdb
        and getattr(option, "capture", "fd") != "no"
        and not option.collectonly
    )


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    """Make a bare run parallel before pytest-xdist reads its options."""
    if _bare_run(config):
        config.option.numprocesses = DEFAULT_WORKERS
        config.option.dist = "loadgroup"
    return (yield)


@pytest.fixture(autouse=True)
def _private_db(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    db_dir = tmp_path_factory.mktemp("db")
    monkeypatch.setenv("BASELINE_DB", str(db_dir / "baseline.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(db_dir / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(db_dir / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(db_dir / "xdg-cache"))
    yield


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread() -> Iterator[None]:
    """Leftover Qt objects of one test are collected here, on the GUI thread, not later by a
    collection that a worker thread of the next test happens to trigger (Qt would warn or crash)."""
    yield
    gc.collect()
    # What survived a full collection is moved out of the collector's sight, so the next test's
    # collection walks only the objects made since (it took 0.1-0.5 s a test with every module
    # and the Qt wrappers tracked). Frozen objects are still freed by reference counting.
    gc.freeze()


@pytest.fixture(scope="session")
def qapp(qapp: QApplication) -> QApplication:
    """pytest-qt's application, with its look as made noted down (see the fixture below)."""
    from PySide6.QtGui import QFont, QPalette

    _FIRST_LOOK.append((qapp.style().name(), QFont(qapp.font()), QPalette(qapp.palette())))
    return qapp


@pytest.fixture(autouse=True)
def _same_application_for_every_test() -> Iterator[None]:
    """Whatever a test did to the one QApplication of the run does not reach the next test.

    Windows that a test closed are deleted now (Qt deletes them only when an event loop gets
    back to them, so they would live on, still connected to application-wide signals), and the
    application's style, palette, style sheet and font are put back as they were when the
    application was made. Tests run the same alone, in any order and in any company.
    """
    yield
    if not _FIRST_LOOK:
        return  # no test has used the application yet
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QProxyStyle

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    style_name, font, palette = _FIRST_LOOK[0]
    if app.styleSheet():
        app.setStyleSheet("")
    if isinstance(app.style(), QProxyStyle) or app.style().name() != style_name:
        app.setStyle(style_name)
    if app.palette() != palette:
        app.setPalette(palette)
    if app.font() != font:
        app.setFont(font)


_FIRST_LOOK: list[tuple[str, QFont, QPalette]] = []


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync event loop on the Qt main thread, as the app runs."""
    from tests.stubs import qasync_loop

    with qasync_loop(qapp) as loop:
        yield loop
