"""Approved images of every screen, light and dark, and the contrast of the text on them.

Each screen is brought up in a window built like the app builds it (tests/gui_images/scenes.py:
fixed data, day, clock, font and size), grabbed, compared with its approved image
(tests/gui_images/approved/<screen>-<theme>.png, see approval.py and the README here) and
measured: every visible label, button and check box must reach a text-to-background contrast of
4.5:1 on the rendered pixels (contrast.py).

Re-approve after an intended change (then look at every changed PNG before committing):
    BASELINE_APPROVE=1 .venv/bin/pytest tests/gui_images tests/gui_io/test_report.py -p no:xdist
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.breathing import pacer_state
from app.session.core_metrics import CoreAnalysis
from app.session.sources import BuiltSource
from app.store import Store, database
from app.store.settings import Theme
from app.ui.app import open_session_detail
from app.ui.dialogs.readiness import ReadinessDialog
from app.ui.dialogs.reflection import ReflectionDialog
from app.ui.pages import live_session
from app.ui.window import MainWindow
from sensors.source import ConnectionEvent, EventKind
from tests.conftest import DATA_DIR
from tests.gui_images.approval import assert_matches_approved, fixed_rendering
from tests.gui_images.contrast import low_contrast_text, weak_outlines
from tests.gui_images.scenes import (
    DIALOG_SIZE,
    OPTIONS,
    THEMES,
    build,
    fill,
    grab,
    settle,
    strap_packets,
)
from tests.stubs import ScriptedSource, run_scenario, strap_sample, wait_until


@pytest.fixture(name="fixed_rendering")
def _fixed_rendering(qapp: QApplication) -> Iterator[None]:
    with fixed_rendering(qapp):
        yield


class Checker:
    """Compares each shot with its approved image and measures its text contrast; collects
    every failure so one run reports all screens."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.failures: list[str] = []

    def check(self, widget: QWidget, name: str) -> None:
        image = grab(widget)
        full = f"{name}-{self.theme}"
        try:
            assert_matches_approved(image, full)
        except AssertionError as exc:
            self.failures.append(str(exc))
        for problem in [*low_contrast_text(widget, image), *weak_outlines(widget, image)]:
            self.failures.append(f"{full}: {problem}")

    def assert_all_passed(self) -> None:
        assert not self.failures, "\n".join(self.failures)


def page_shot(qtbot: QtBot, checker: Checker, window: MainWindow, page: str, name: str) -> None:
    assert window.show_page(page)
    shown = window.stack.currentWidget()
    assert shown is not None
    settle(qtbot, shown)
    checker.check(window, name)


def dialog_shot(
    qtbot: QtBot, checker: Checker, dialog: QDialog, name: str, *, close: bool = True
) -> None:
    dialog.resize(*DIALOG_SIZE)
    if not dialog.isVisible():
        dialog.open()
    settle(qtbot, dialog)
    checker.check(dialog, name)
    if close:
        dialog.close()


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_pages_and_dialogs_with_data(
    qtbot: QtBot, store: Store, tmp_path: Path, theme: Theme, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = fill(store)
    ui, _clock = build(qtbot, store, tmp_path, theme)
    window = ui.window
    checker = Checker(theme)
    for page, name in (
        ("Home", "home"),
        ("Breathe", "breathe"),
        ("History", "history"),
        ("Settings", "settings"),
        ("Assessment", "assessment"),
        ("Live session", "live-setup"),
    ):
        page_shot(qtbot, checker, window, page, name)

    assessment = ui.assessment
    assert assessment is not None
    assessment.open_past(0)
    page_shot(qtbot, checker, window, "Assessment", "assessment-result")
    assessment.back_to_intro()

    live = ui.live
    assert live is not None
    live.show_summary_for(newest)
    page_shot(qtbot, checker, window, "Live session", "summary")
    live.back_to_setup()

    home = ui.home
    assert home is not None
    window.show_page("Home")
    dialog_shot(qtbot, checker, home.open_log_form(), "log")
    dialog_shot(qtbot, checker, home.open_morning_check(prefer_demo=True), "morning-check")
    importing = ui.data_actions.open_import([DATA_DIR / "formats" / "hrv_logger_rr.csv"])
    importing.at_edit.setDateTime(QDateTime(QDate(2026, 3, 20), QTime(7, 0)))  # not "now"
    dialog_shot(qtbot, checker, importing, "import")
    with monkeypatch.context() as patch:
        patch.setenv("HOME", "/home/you")  # the suggested file is in the home folder
        dialog_shot(qtbot, checker, ui.data_actions.open_export(), "export")
    dialog_shot(qtbot, checker, ui.data_actions.open_report(), "report")
    dialog_shot(qtbot, checker, ReflectionDialog("10 minutes", parent=window), "reflection")
    dialog_shot(qtbot, checker, window.show_how_computed(), "help")
    dialog_shot(qtbot, checker, window.show_about(), "about")
    detail = open_session_detail(window, store, newest, CoreAnalysis(), ui.tasks)
    dialog_shot(qtbot, checker, detail, "session-detail")
    checker.assert_all_passed()


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_first_start_without_data(qtbot: QtBot, store: Store, tmp_path: Path, theme: Theme) -> None:
    ui, _clock = build(qtbot, store, tmp_path, theme)
    checker = Checker(theme)
    page_shot(qtbot, checker, ui.window, "Home", "home-empty")
    page_shot(qtbot, checker, ui.window, "History", "history-empty")
    welcome = ui.show_welcome(store)
    assert welcome is not None
    dialog_shot(qtbot, checker, welcome, "welcome")
    checker.assert_all_passed()


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_breathe_during_a_session(qtbot: QtBot, store: Store, tmp_path: Path, theme: Theme) -> None:
    ui, clock = build(qtbot, store, tmp_path, theme)
    window = ui.window
    window.show_page("Breathe")
    page = ui.breathe
    page.start()
    pattern = page.pattern
    assert pattern is not None
    clock.advance(17.5)  # mid-exhale, 17.5 s into the session
    expected = pacer_state(pattern, 17.5)
    qtbot.waitUntil(lambda: page.pacer.state == expected, timeout=5000)
    qtbot.waitUntil(lambda: "0:17" in page.elapsed_label.text(), timeout=5000)
    checker = Checker(theme)
    page_shot(qtbot, checker, window, "Breathe", "breathe-session")
    page.stop(reflect=False)
    checker.assert_all_passed()


def at_least(count: Callable[[], int], n: int) -> Callable[[], bool]:
    """A condition: `count()` reached `n`."""
    return lambda: count() >= n


async def shown(widget: QWidget) -> None:
    """Let the running loop lay out and paint `widget` (no real-time wait beyond the queue)."""
    await wait_until(widget.isVisible, 5.0, "the screen shown")
    for _ in range(3):
        await asyncio.sleep(0)


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_live_session_two_and_a_half_minutes_in(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    tmp_path: Path,
    theme: Theme,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A strap (fed packet by packet on the session's clock, one second at a time, as it would
    arrive) 150 s into a live session: plots, numbers, pacer and the connection line."""
    ui, clock = build(qtbot, store, tmp_path, theme)
    strap = ScriptedSource()
    monkeypatch.setattr(
        live_session,
        "build_source",
        lambda *_args: BuiltSource(strap, clock, "Polar H10 A1B2C3D4", "A0:9E:1A:00:00:01"),
    )
    page = ui.live
    assert page is not None
    window = ui.window
    checker = Checker(theme)

    async def scenario() -> None:
        window.show_page(page)
        page.picker.demo_button.setChecked(True)  # any choice: the strap above connects
        page.start()
        session = page.session
        assert session is not None
        for timer in (page.frame_timer, page.plot_timer):
            timer.stop()  # the test moves the screen with the clock, as the timers would
        start_s = clock()
        strap.put(ConnectionEvent(EventKind.CONNECTED, start_s, name="Polar H10 A1B2C3D4"))
        for at_s, bpm, units in strap_packets(start_s, 150, np.random.default_rng(3)):
            clock.advance(at_s - clock())
            strap.put(strap_sample(at_s, bpm, units))
            beats = session.beats_received + len(units)
            await wait_until(at_least(lambda: session.beats_received, beats), 5.0, "the packet")
            if round(at_s - start_s) % 10 == 0:  # a frame now and then (each costs a redraw)
                page.refresh_live()
                page.refresh_pacer()
        await shown(page)
        checker.check(window, "live-session")
        page.stop(reflect=False)

    run_scenario(qloop, scenario())
    checker.assert_all_passed()


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_morning_check_measuring_and_its_result(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    store: Store,
    tmp_path: Path,
    theme: Theme,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The morning check 75 s into two minutes with a strap, then its result against the six
    weeks before (the wall clock says 06:50 on the scenes' "today")."""
    fill(store)
    monkeypatch.setattr(database, "now_local", lambda: datetime(2026, 3, 20, 6, 50, tzinfo=UTC))
    ui, clock = build(qtbot, store, tmp_path, theme)
    strap = ScriptedSource()
    dialog = ReadinessDialog(
        store,
        OPTIONS,
        source_factory=lambda *_args: BuiltSource(strap, clock, "Polar H10", "A0:9E:1A:00:00:01"),
        parent=ui.window,
    )
    checker = Checker(theme)

    async def scenario() -> None:
        dialog.resize(*DIALOG_SIZE)
        dialog.open()
        dialog.start()
        dialog.timer.stop()  # the test moves the countdown with the clock, as the timer would
        engine = dialog.engine
        assert engine is not None
        start_s = clock()
        strap.put(ConnectionEvent(EventKind.CONNECTED, start_s, name="Polar H10"))
        for at_s, bpm, units in strap_packets(start_s, 125, np.random.default_rng(4), 14.0):
            clock.advance(at_s - clock())
            strap.put(strap_sample(at_s, bpm, units))
            beats = engine.beats_received + len(units)
            stored = at_least(lambda: engine.beats_received, beats)
            await wait_until(lambda: stored() or dialog.state == "result", 5.0, "the packet")  # noqa: B023
            dialog.tick()
            if at_s - start_s == 75:
                await shown(dialog)
                checker.check(dialog, "morning-check-measuring")
        await wait_until(lambda: dialog.state == "result", 5.0, "the result")
        await shown(dialog)
        checker.check(dialog, "morning-check-result")
        dialog.close()

    run_scenario(qloop, scenario())
    checker.assert_all_passed()
