"""`--start live|breathe|morning-check` opens that screen and starts it; `--stats` gathers what
the app measured; exit signals reach the Qt loop at once; logging out stores sessions."""

from __future__ import annotations

import asyncio
import math
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import cli
from app.session.engine import MIN_KEPT_S
from app.session.sources import SourceOptions
from app.store import Store
from app.ui.app import AppUi, build_app
from app.ui.main import requested_screen, start_request
from app.ui.services.exit_signals import ExitSignals
from app.ui.startup.run_stats import collect_run_stats
from app.ui.startup.start_screen import StartScreen, open_start_screen
from tests.stubs import FakeClock, RecordingCuePlayer, run_scenario, wait_until

FAST_DEMO = SourceOptions(demo_speed=20.0, demo_seed=3)
LONG_ENOUGH_S = MIN_KEPT_S + 1.0  # sessions this long are kept
AppFactory = Callable[..., AppUi]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(qtbot: QtBot, tmp_path: Path, clock: FakeClock) -> AppFactory:
    def build(store: Store, *, demo: bool = True) -> AppUi:
        ui = build_app(
            store,
            demo=demo,
            clock=clock,
            cue_player=RecordingCuePlayer(),
            source_options=FAST_DEMO,
        )
        qtbot.addWidget(ui.window)
        ui.window.show()
        return ui

    return build


def test_the_command_line_offers_every_screen() -> None:
    assert tuple(screen.value for screen in StartScreen) == cli.START_SCREENS
    args = cli.build_parser(()).parse_args(["--start", "morning-check", "--stats", "s.json"])
    assert (args.start, args.stats) == ("morning-check", Path("s.json"))
    for screen in StartScreen:
        assert requested_screen(start_request(screen)) is screen
    assert requested_screen(start_request(None)) is None
    assert requested_screen("start nowhere") is None


def test_breathe_starts_at_once(
    store: Store, make_app: AppFactory, qloop: asyncio.AbstractEventLoop, clock: FakeClock
) -> None:
    ui = make_app(store, demo=False)
    assert open_start_screen(ui, StartScreen.BREATHE)
    assert ui.window.current_page() is ui.breathe
    assert ui.breathe.is_active
    clock.advance(LONG_ENOUGH_S)
    ui.window.quit_without_asking()
    [session] = store.sessions()
    assert session.kind == "breathing"
    assert session.status == "complete"


def test_live_starts_streaming_the_demo_strap(
    store: Store,
    make_app: AppFactory,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    ui = make_app(store)
    live = ui.live
    assert live is not None

    async def scenario() -> None:
        assert open_start_screen(ui, StartScreen.LIVE)
        assert ui.window.current_page() is live
        await wait_until(lambda: live.session is not None and live.session.beats_received >= 5)
        await wait_until(lambda: len(live.frame_intervals_s) >= 3, what="pacer frames")
        session = live.session
        assert session is not None
        await wait_until(lambda: session.active_s() > LONG_ENOUGH_S, what="a session to keep")
        stats = collect_run_stats(ui)
        assert stats.seconds > 0
        assert stats.pacer_frames >= 1
        assert len(stats.frame_intervals_s) >= 3
        ui.window.quit_without_asking()

    run_scenario(qloop, scenario())
    [session] = store.sessions()
    assert session.simulated
    assert session.status == "complete"


def test_live_without_a_source_shows_the_setup_and_says_what_to_choose(
    store: Store,
    make_app: AppFactory,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    ui = make_app(store, demo=False)
    live = ui.live
    assert live is not None
    live.picker.scan_button.setChecked(True)  # a strap nearby, none picked yet
    assert not open_start_screen(ui, StartScreen.LIVE)
    assert ui.window.current_page() is live
    assert not live.is_active
    assert "Choose a strap" in ui.window.statusBar().currentMessage()


def test_the_morning_check_starts_measuring(
    store: Store,
    make_app: AppFactory,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    ui = make_app(store)
    home = ui.home
    assert home is not None

    async def scenario() -> None:
        assert open_start_screen(ui, StartScreen.MORNING_CHECK)
        assert ui.window.current_page() is home
        dialog = home.readiness_dialog
        assert dialog is not None
        await wait_until(lambda: dialog.state == "measuring", what="measuring")
        assert dialog.session_id is not None
        ui.window.quit_without_asking()

    run_scenario(qloop, scenario())
    assert store.sessions() == []  # a morning check cut short is not a reading: not kept


def test_an_exit_signal_reaches_the_loop(qtbot: QtBot) -> None:
    signals = ExitSignals([signal.SIGTERM])
    signals.install()
    try:
        with qtbot.waitSignal(signals.received, timeout=5000) as got:
            os.kill(os.getpid(), signal.SIGTERM)
        assert got.args == [signal.SIGTERM]
    finally:
        signals.uninstall()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_logging_out_stores_the_running_session(
    store: Store,
    make_app: AppFactory,
    qloop: asyncio.AbstractEventLoop,
    clock: FakeClock,
) -> None:
    ui = make_app(store, demo=False)
    ui.window.show_page(ui.breathe)
    ui.breathe.start()
    clock.advance(LONG_ENOUGH_S)
    ui.window.end_sessions()
    assert not ui.breathe.is_active
    assert ui.window.isVisible()
    [session] = store.sessions()
    assert session.status == "complete"
    assert "logging out" in ui.window.statusBar().currentMessage()


def test_quitting_during_a_session_asks_end_and_save_or_keep_going(
    store: Store,
    make_app: AppFactory,
    qloop: asyncio.AbstractEventLoop,
    clock: FakeClock,
) -> None:
    ui = make_app(store, demo=False)
    ui.window.show_page(ui.breathe)
    ui.breathe.start()
    clock.advance(LONG_ENOUGH_S)
    ui.window.quit_action.trigger()
    box = ui.window.leave_question
    assert box is not None
    assert sorted(button.text() for button in box.buttons()) == ["End and save", "Keep going"]
    roles = {button.text(): box.buttonRole(button) for button in box.buttons()}
    assert roles["End and save"] == QMessageBox.ButtonRole.AcceptRole
    ui.window.answer_leave_question(end_session=False)
    assert ui.window.isVisible() and ui.breathe.is_active
    ui.window.quit_action.trigger()
    ui.window.answer_leave_question(end_session=True)
    assert not ui.window.isVisible()
    [session] = store.sessions()
    assert session.status == "complete"
    assert math.isfinite(session.duration_s or 0.0)
