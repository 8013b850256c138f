"""Background work: `run_task` runs on a worker and hands the result or the exception back on the
GUI thread; the summary, detail and home views show a failure in plain words."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QObject
from pytestqt.qtbot import QtBot

from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store
from app.store.records import BeatRecord
from app.store.settings import AppSettings
from app.ui.dialogs.session_detail import SessionDetailDialog
from app.ui.pages.home import HomePage
from app.ui.pages.live_session import LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from app.ui.tasks import TaskRunner, plain_error, run_task
from tests.stubs import InstantTaskRunner

GUI_THREAD = threading.get_ident()


def _stored_strap_session(store: Store, n_beats: int = 240) -> int:
    sid = store.start_session("breathing", sensor_name="Test strap")
    beats = [BeatRecord(float(i * 1000), 1000.0 + 40.0 * ((i % 5) - 2)) for i in range(n_beats)]
    store.add_beats(sid, beats)
    store.finish_session(sid, status="complete", duration_s=n_beats * 1.0)
    return sid


def test_the_result_comes_back_on_the_gui_thread(qtbot: QtBot) -> None:
    worker_threads: list[int] = []
    delivered: list[tuple[int, int]] = []

    def work() -> int:
        worker_threads.append(threading.get_ident())
        return 42

    failures: list[Exception] = []
    run_task(work, lambda value: delivered.append((value, threading.get_ident())), failures.append)
    qtbot.waitUntil(lambda: bool(delivered), timeout=5000)
    assert worker_threads and worker_threads[0] != GUI_THREAD
    assert delivered == [(42, GUI_THREAD)]
    assert failures == []


def test_an_exception_comes_back_on_the_gui_thread_not_swallowed(qtbot: QtBot) -> None:
    failures: list[tuple[Exception, int]] = []
    problem = ValueError("the file ends in the middle of a beat")

    def work() -> int:
        raise problem

    run_task(
        work,
        lambda _v: pytest.fail("no result expected"),
        lambda exc: failures.append((exc, threading.get_ident())),
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert failures == [(problem, GUI_THREAD)]
    assert plain_error(problem) == "the file ends in the middle of a beat"


def test_nothing_is_delivered_to_an_owner_that_is_gone(qtbot: QtBot) -> None:
    gate = threading.Event()
    delivered: list[object] = []
    owner = QObject()
    runner = TaskRunner()
    runner.run_task(lambda: gate.wait(5.0), delivered.append, delivered.append, owner=owner)
    destroyed: list[bool] = []
    owner.destroyed.connect(lambda *_: destroyed.append(True))
    owner.deleteLater()
    qtbot.waitUntil(lambda: bool(destroyed), timeout=5000)
    gate.set()
    assert runner.wait(5000)
    QCoreApplication.sendPostedEvents()  # the queued delivery, had there been one, runs here
    assert delivered == []


def test_plain_error_has_words_for_empty_and_os_errors() -> None:
    assert plain_error(RuntimeError()) == "an unexpected problem (RuntimeError)"
    missing = FileNotFoundError(2, "No such file or directory", "/tmp/x.csv")
    assert plain_error(missing) == "no such file or directory (/tmp/x.csv)"


def test_the_detail_view_shows_a_failure(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _stored_strap_session(store)

    def broken(*_args: object) -> object:
        raise ArithmeticError("the spectrum has no power")

    monkeypatch.setattr("app.ui.dialogs.session_detail.session_detail", broken)
    dialog = SessionDetailDialog(store, sid, CoreAnalysis())  # the real runner
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: not dialog.waiting, timeout=5000)
    assert dialog.detail is None
    assert dialog.pending.text() == (
        "The report could not be prepared from the stored values: the spectrum has no power"
    )


def test_the_detail_view_with_an_instant_runner(qtbot: QtBot, store: Store) -> None:
    sid = _stored_strap_session(store)
    runner = InstantTaskRunner()
    dialog = SessionDetailDialog(store, sid, CoreAnalysis(), runner)
    qtbot.addWidget(dialog)
    assert runner.ran == 1 and not dialog.waiting
    assert dialog.detail is not None and dialog.detail.session.id == sid


def test_the_live_summary_shows_a_failure_and_a_way_back(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = _stored_strap_session(store)

    def broken(*_args: object) -> object:
        raise MemoryError

    monkeypatch.setattr("app.ui.pages.live_session._summarize", broken)
    model = SettingsModel(store, AppSettings(sound_on=False))
    page = LiveSessionPage(store, model, CoreAnalysis(), SourceOptions(), tasks=TaskRunner())
    qtbot.addWidget(page)
    page.show()
    messages: list[str] = []
    page.message.connect(messages.append)
    page.show_summary_for(sid)
    qtbot.waitUntil(lambda: page.summary_back_button.isVisible(), timeout=5000)
    assert page.summary is None
    assert page.summary_pending_label.text() == (
        "The summary could not be put together: the computer ran out of memory. The session is "
        "kept in History."
    )
    assert messages == ["The session's summary could not be put together."]
    page.summary_back_button.click()
    assert page.stack.currentWidget() is page.setup_view


def test_the_live_summary_arrives(qtbot: QtBot, store: Store) -> None:
    sid = _stored_strap_session(store)
    model = SettingsModel(store, AppSettings(sound_on=False))
    page = LiveSessionPage(store, model, CoreAnalysis(), SourceOptions(), tasks=InstantTaskRunner())
    qtbot.addWidget(page)
    page.show_summary_for(sid)
    assert page.summary is not None and page.summary.n_beats == 240
    assert page.stack.currentWidget() is page.summary_view


def test_home_says_when_the_before_and_after_fails(
    qtbot: QtBot, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stored_strap_session(store)

    def broken(*_args: object) -> str:
        raise ValueError("too few clean beats")

    monkeypatch.setattr("app.ui.pages.home.strap_effect_text", broken)
    page = HomePage(store, SourceOptions(), today=date.today, tasks=InstantTaskRunner())
    qtbot.addWidget(page)
    page.show()
    assert page.effect_label.text() == (
        "The before and after could not be computed: too few clean beats."
    )
    assert page.effect_label.isVisible()
